BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:fingerprint = 'SHA256:' + ('A' * 43)
}

Describe 'New-PMTarget, Get-PMTarget, Set-PMTarget and Remove-PMTarget' {
    BeforeEach {
        $null = New-PMVault -Path (Join-Path $TestDrive "$([guid]::NewGuid()).db")
    }

    Context 'New-PMTarget' {
        It 'creates a target with its port, platform, pinned host keys and description' {
            $target = New-PMTarget -Name web01 -HostName web01.example.test -Port 2222 `
                -HostKeyFingerprint $fingerprint `
                -Description 'front end'

            $target.GetType().FullName | Should -Be 'PassMan.Model.Target'
            $target.Name, $target.HostName, $target.Port, $target.Platform |
                Should -Be 'web01', 'web01.example.test', 2222, 'Linux'
            $target.HostKeyFingerprints | Should -Be $fingerprint
            $target.Description | Should -Be 'front end'
            $target.Created | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'
        }

        It 'binds Name, HostName, Port and Description by property name from Import-Csv' {
            $csv = Join-Path $TestDrive 'targets.csv'
            "Name,HostName,Port,Description`nweb01,10.0.0.1,,one`nweb02,10.0.0.2,2200,`n" | Set-Content $csv

            $targets = Import-Csv $csv | New-PMTarget

            $targets.Name | Should -Be 'web01', 'web02'
            $targets.Port | Should -Be 22, 2200
            $targets[1].Description | Should -BeNullOrEmpty
        }

        It 'refuses a name taken in another case with TargetExists, and goes on with the next item' {
            $null = New-PMTarget web01 a.example.test

            $rows = 'WEB01', 'web02' | ForEach-Object { [pscustomobject]@{ Name = $_; HostName = 'b.example.test' } }
            $created = $rows |
                New-PMTarget -ErrorVariable failures -ErrorAction SilentlyContinue

            $created.Name | Should -Be 'web02'
            Get-ErrorId $failures[0] | Should -Be 'TargetExists'
            $failures[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $failures[0].TargetObject | Should -Be 'WEB01'
        }

        It 'refuses <Case> with InvalidName and creates nothing' -ForEach @(
            @{ Case = 'a NUL'; Name = "web`0one" }
            @{ Case = 'a CR'; Name = "web`rone" }
            @{ Case = 'an LF'; Name = "web`none" }
            @{ Case = '10,000 characters'; Name = 'w' * 10000 }
        ) {
            { New-PMTarget -Name $Name -HostName h.example.test -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidName,PassMan.Commands.NewPMTargetCommand'
            Get-PMTarget | Should -BeNullOrEmpty
        }

        It 'refuses a malformed fingerprint with InvalidHostKeyFingerprint and a bad port with InvalidArgument' {
            { New-PMTarget t1 h.example.test -HostKeyFingerprint 'MD5:00:11' -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidHostKeyFingerprint,PassMan.Commands.NewPMTargetCommand'
            { New-PMTarget t1 h.example.test -Port 70000 -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,PassMan.Commands.NewPMTargetCommand'
            { New-PMTarget t1 h.example.test -Platform Windows -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,PassMan.Commands.NewPMTargetCommand'
        }

        It 'creates nothing with -WhatIf' {
            New-PMTarget web01 web01.example.test -WhatIf

            Get-PMTarget | Should -BeNullOrEmpty
        }

        It 'keeps quotes, semicolons and Unicode as plain characters' {
            $name = "o'brien; DROP TABLE targets; -- ユーザー"

            $null = New-PMTarget -Name $name -HostName h.example.test

            (Get-PMTarget -Name $name).Name | Should -Be $name
        }
    }

    Context 'Get-PMTarget' {
        BeforeEach {
            'web01', 'web02', 'db01' | ForEach-Object { $null = New-PMTarget $_ "$_.example.test" }
        }

        It 'lists every target in name order' {
            (Get-PMTarget).Name | Should -Be 'db01', 'web01', 'web02'
        }

        It 'matches wildcards without regard to case' {
            (Get-PMTarget -Name 'WEB*').Name | Should -Be 'web01', 'web02'
            (Get-PMTarget 'w?b0[2]').Name | Should -Be 'web02'
        }

        It 'takes names by value and accounts by their Target property' {
            ('db01', 'web02' | Get-PMTarget).Name | Should -Be 'db01', 'web02'
            $null = New-PMAccount -Target web01 -UserName alice
            (Get-PMAccount -Target web01 | Get-PMTarget).Name | Should -Be 'web01'
        }

        It 'writes TargetNotFound for a missing name, and nothing for a pattern that matches nothing' {
            Get-PMTarget -Name nosuch, 'none*' -ErrorVariable failures -ErrorAction SilentlyContinue

            $failures.Count | Should -Be 1
            Get-ErrorId $failures[0] | Should -Be 'TargetNotFound'
            $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failures[0].TargetObject | Should -Be 'nosuch'
        }

        It 'shows a table with the account count' {
            (Get-PMTarget web01 | Format-Table | Out-String) |
                Should -Match 'Name\s+HostName\s+Port\s+Platform\s+Accounts'
        }

        It 'completes target names' {
            $completions = (TabExpansion2 -inputScript 'Get-PMTarget we' -cursorColumn 15).CompletionMatches

            $completions.CompletionText | Should -Be 'web01', 'web02'
        }

        It 'completes names with spaces quoted' {
            $null = New-PMTarget 'web 03' h.example.test

            $completions = (TabExpansion2 -inputScript 'Get-PMTarget web' -cursorColumn 16).CompletionMatches

            $completions.CompletionText | Should -Contain "'web 03'"
        }
    }

    Context 'Set-PMTarget' {
        BeforeEach {
            $null = New-PMTarget web01 web01.example.test
            $null = New-PMTarget db01 db01.example.test
            $null = New-PMAccount web01 alice
        }

        It 'renames a target, and its accounts follow' {
            $target = Set-PMTarget web01 -NewName web01-new -Port 2200 -PassThru

            $target.Name, $target.Port | Should -Be 'web01-new', 2200
            (Get-PMAccount -UserName alice).Target | Should -Be 'web01-new'
        }

        It 'takes targets from the pipeline' {
            Get-PMTarget * | Set-PMTarget -Description 'patched'

            (Get-PMTarget).Description | Should -Be 'patched', 'patched'
        }

        It 'refuses a name another target has with TargetExists and a missing target with TargetNotFound' {
            { Set-PMTarget web01 -NewName DB01 -ErrorAction Stop } |
                Should -Throw -ErrorId 'TargetExists,PassMan.Commands.SetPMTargetCommand'
            { Set-PMTarget nosuch -Port 1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'TargetNotFound,PassMan.Commands.SetPMTargetCommand'
        }

        It 'changes nothing with -WhatIf' {
            Set-PMTarget web01 -HostName elsewhere.example.test -WhatIf

            (Get-PMTarget web01).HostName | Should -Be 'web01.example.test'
        }
    }

    Context 'Remove-PMTarget' {
        BeforeEach {
            $null = New-PMTarget web01 web01.example.test
            $null = New-PMTarget old01 old01.example.test
            $null = New-PMAccount web01 alice
        }

        It 'removes a target without accounts' {
            Remove-PMTarget old01 -Confirm:$false

            (Get-PMTarget).Name | Should -Be 'web01'
        }

        It 'refuses a target with accounts with TargetHasAccounts unless -Force, which removes them too' {
            $failure = { Remove-PMTarget web01 -Confirm:$false -ErrorAction Stop } | Should -Throw -PassThru
            Get-ErrorId $failure | Should -Be 'TargetHasAccounts'
            (Get-PMAccount).UserName | Should -Be 'alice'

            Remove-PMTarget web01 -Force -Confirm:$false

            Get-PMAccount | Should -BeNullOrEmpty
            (Get-PMVault).TargetCount | Should -Be 1
        }

        It 'refuses a target with accounts before asking, when -Force is missing' {
            Remove-PMTarget web01 -WhatIf -ErrorVariable failures -ErrorAction SilentlyContinue 6>&1 |
                Should -BeNullOrEmpty

            Get-ErrorId $failures[0] | Should -Be 'TargetHasAccounts'
        }

        It 'does not take accounts from the pipeline, so they cannot remove their targets' {
            Get-PMAccount | Remove-PMTarget -Force -Confirm:$false -ErrorAction SilentlyContinue

            (Get-PMTarget).Count | Should -Be 2
            @(Get-PMAccount).Count | Should -Be 1
        }

        It 'has ConfirmImpact High and removes nothing with -WhatIf' {
            (Get-Command Remove-PMTarget).ImplementingType.GetCustomAttributes($true) |
                Where-Object { $_ -is [System.Management.Automation.CmdletAttribute] } |
                ForEach-Object ConfirmImpact | Should -Be 'High'

            Get-PMTarget | Remove-PMTarget -Force -WhatIf

            (Get-PMTarget).Count | Should -Be 2
        }
    }
}
