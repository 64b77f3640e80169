BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
}

Describe 'New-PMAccount, Get-PMAccount, Set-PMAccount and Remove-PMAccount' {
    BeforeEach {
        $script:vaultPath = Join-Path $TestDrive "$([guid]::NewGuid()).db"
        $null = New-PMVault -Path $vaultPath
        'web01', 'web02', 'db01' | ForEach-Object { $null = New-PMTarget $_ "$_.example.test" }
    }

    Context 'New-PMAccount' {
        It 'creates an account with status Unknown under the Default policy' {
            $account = New-PMAccount -Target web01 -UserName alice -Description 'ops'

            $account.GetType().FullName | Should -Be 'PassMan.Model.Account'
            $account.Target, $account.UserName, $account.Status, $account.Policy |
                Should -Be 'web01', 'alice', 'Unknown', 'Default'
            $account.Description | Should -Be 'ops'
        }

        It 'stores -Password as the first password credential, encrypted' {
            $secret = 'first-password-of-alice-0123456789'
            $account = New-PMAccount web01 alice -Password (ConvertTo-TestSecureString $secret)

            $account.Credentials | Should -Be 'Password'
            $account.Status | Should -Be 'Unknown'
            $account.LastChanged | Should -Match 'Z$'
            Lock-PMVault
            foreach ($file in $vaultPath, "$vaultPath-wal") {
                if (Test-Path $file) {
                    [IO.File]::ReadAllText($file) | Should -Not -Match ([regex]::Escape($secret))
                }
            }
        }

        It 'onboards from Import-Csv by property name, with one error per bad row and the rest created' {
            $csv = Join-Path $TestDrive 'accounts.csv'
            @(
                'Target,UserName,Policy,ReconcileAccount,Description'
                'web01,root,,,superuser'
                'web01,alice,,root,'
                'nosuch,bob,,,'
                'web01,ALICE,,,'
                'db01,postgres,,,'
            ) | Set-Content $csv

            $accounts = Import-Csv $csv | New-PMAccount -ErrorVariable failures -ErrorAction SilentlyContinue

            ($accounts | ForEach-Object ToString) | Should -Be 'web01/root', 'web01/alice', 'db01/postgres'
            $accounts[1].ReconcileAccount | Should -Be 'root'
            $failures | ForEach-Object { Get-ErrorId $_ } | Should -Be 'TargetNotFound', 'AccountExists'
            $failures.TargetObject | Should -Be 'nosuch', 'web01/ALICE'
        }

        It 'refuses an unknown policy (PolicyNotFound) and a missing reconcile account (ReconcileAccountNotFound)' {
            { New-PMAccount web01 alice -Policy nosuch -ErrorAction Stop } |
                Should -Throw -ErrorId 'PolicyNotFound,PassMan.Commands.NewPMAccountCommand'
            { New-PMAccount web01 alice -ReconcileAccount root -ErrorAction Stop } |
                Should -Throw -ErrorId 'ReconcileAccountNotFound,PassMan.Commands.NewPMAccountCommand'
            Get-PMAccount | Should -BeNullOrEmpty
        }

        It 'refuses a row whose name is invalid Unicode with InvalidName, and creates the others' {
            $rows = 'alice', "bad$([char]0xD800)", 'bob' |
                ForEach-Object { [pscustomobject]@{ Target = 'web01'; UserName = $_ } }

            $created = $rows | New-PMAccount -ErrorVariable failures -ErrorAction SilentlyContinue

            $created.UserName | Should -Be 'alice', 'bob'
            Get-ErrorId $failures[0] | Should -Be 'InvalidName'
        }

        It 'refuses an empty password, or one with a line break, with InvalidArgument' {
            { New-PMAccount web01 empty -Password ([securestring]::new()) -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,PassMan.Commands.NewPMAccountCommand'
            { New-PMAccount web01 broken -Password (ConvertTo-TestSecureString "one`ntwo") -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,PassMan.Commands.NewPMAccountCommand'
            Get-PMAccount | Should -BeNullOrEmpty
        }

        It 'reports a row changed behind PassMan''s back with VaultCorrupt' {
            $null = New-PMAccount web01 alice
            Invoke-VaultSql $vaultPath "UPDATE accounts SET status = 'Bogus'"

            $failure = { Get-PMAccount -ErrorAction Stop } | Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'VaultCorrupt'
            $failure.CategoryInfo.Category | Should -Be 'InvalidData'
        }

        It 'refuses a user name with control characters with InvalidName' {
            { New-PMAccount web01 "al`nice" -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidName,PassMan.Commands.NewPMAccountCommand'
        }

        It 'creates nothing with -WhatIf' {
            New-PMAccount web01 alice -WhatIf

            Get-PMAccount | Should -BeNullOrEmpty
        }
    }

    Context 'Get-PMAccount' {
        BeforeEach {
            foreach ($pair in 'web01/alice', 'web01/bob', 'web02/alice', 'db01/postgres') {
                $target, $user = $pair -split '/'
                $null = New-PMAccount $target $user
            }
        }

        It 'lists accounts in target and user order' {
            (Get-PMAccount | ForEach-Object ToString) |
                Should -Be 'db01/postgres', 'web01/alice', 'web01/bob', 'web02/alice'
        }

        It 'lists the accounts of targets piped from Get-PMTarget' {
            (Get-PMTarget web01 | Get-PMAccount).UserName | Should -Be 'alice', 'bob'
            (Get-PMTarget web* | Get-PMAccount).Count | Should -Be 3
        }

        It 'filters by target and user wildcards, without regard to case' {
            (Get-PMAccount -Target WEB* -UserName A*).Target | Should -Be 'web01', 'web02'
            (Get-PMAccount -UserName '?o?').UserName | Should -Be 'bob'
        }

        It 'writes each account once when several patterns match it' {
            (Get-PMAccount -Target web01, 'web*' -UserName alice).Count | Should -Be 2
        }

        It 'filters by status' {
            (Get-PMAccount -Status Unknown).Count | Should -Be 4
            Get-PMAccount -Status InSync | Should -BeNullOrEmpty
            { Get-PMAccount -Status Sometimes -ErrorAction Stop } |
                Should -Throw -ExceptionType ([System.Management.Automation.ParameterBindingException])
        }

        It 'finds accounts by id' {
            $bob = Get-PMAccount web01 bob

            (Get-PMAccount -Id $bob.Id).UserName | Should -Be 'bob'
        }

        It 'writes TargetNotFound for a missing target and AccountNotFound for a missing user' {
            Get-PMAccount -Target nosuch -ErrorVariable targetFailures -ErrorAction SilentlyContinue
            Get-PMAccount -Target web01 -UserName carol -ErrorVariable userFailures -ErrorAction SilentlyContinue

            Get-ErrorId $targetFailures[0] | Should -Be 'TargetNotFound'
            Get-ErrorId $userFailures[0] | Should -Be 'AccountNotFound'
            $userFailures[0].TargetObject | Should -Be 'carol'
        }

        It 'shows a table with target, user name, status, credentials, policy and times' {
            $text = Get-PMAccount web01 alice | Format-Table | Out-String

            $text | Should -Match 'Target\s+UserName\s+Status\s+Credentials\s+Policy\s+LastChanged\s+LastVerified'
            $text | Should -Match 'web01\s+alice\s+Unknown'
        }

        It 'survives ConvertTo-Json with the status as its name and times as ISO 8601 UTC' {
            $json = Get-PMAccount web01 alice | ConvertTo-Json

            $json | Should -Match '"Status": "Unknown"'
            $json | Should -Match '"Created": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"'
            ($json | ConvertFrom-Json).Target | Should -Be 'web01'
        }

        It 'survives Export-Csv and Import-Csv with readable values' {
            $csv = Join-Path $TestDrive 'report.csv'

            Get-PMAccount | Export-Csv $csv
            $rows = Import-Csv $csv

            $rows.Count | Should -Be 4
            $rows[0].Status | Should -Be 'Unknown'
            $rows[0].Created | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'
        }

        It 'completes user names of the target typed so far' {
            $line = 'Get-PMAccount -Target web01 -UserName '

            $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches

            $completions.CompletionText | Should -Be 'alice', 'bob'
        }
    }

    Context 'Set-PMAccount' {
        BeforeEach {
            $null = New-PMPolicy -Name strict -PasswordLength 32
            $null = New-PMAccount web01 root
            $null = New-PMAccount web01 alice
        }

        It 'changes the policy, reconcile account and description of accounts from the pipeline' {
            $changed = Get-PMAccount web01 alice |
                Set-PMAccount -Policy strict -ReconcileAccount root -Description ops -PassThru

            $changed.Policy, $changed.ReconcileAccount, $changed.Description | Should -Be 'strict', 'root', 'ops'
        }

        It 'takes the account by target and user name, or by id' {
            Set-PMAccount -Target web01 -UserName alice -Policy strict
            Set-PMAccount -Id (Get-PMAccount web01 root).Id -Description 'break glass'

            (Get-PMAccount web01 alice).Policy | Should -Be 'strict'
            (Get-PMAccount web01 root).Description | Should -Be 'break glass'
        }

        It 'returns an account to Default with an empty -Policy' {
            Set-PMAccount web01 alice -Policy strict
            Set-PMAccount web01 alice -Policy ''

            (Get-PMAccount web01 alice).Policy | Should -Be 'Default'
        }

        It 'writes AccountNotFound for a missing account and PolicyNotFound for a missing policy' {
            { Set-PMAccount web01 carol -Description x -ErrorAction Stop } |
                Should -Throw -ErrorId 'AccountNotFound,PassMan.Commands.SetPMAccountCommand'
            { Set-PMAccount web01 alice -Policy nosuch -ErrorAction Stop } |
                Should -Throw -ErrorId 'PolicyNotFound,PassMan.Commands.SetPMAccountCommand'
        }

        It 'changes nothing with -WhatIf' {
            Set-PMAccount web01 alice -Policy strict -WhatIf

            (Get-PMAccount web01 alice).Policy | Should -Be 'Default'
        }
    }

    Context 'Remove-PMAccount' {
        BeforeEach {
            $null = New-PMAccount web01 root
            $null = New-PMAccount web01 alice -ReconcileAccount root
            $null = New-PMAccount web02 alice
        }

        It 'removes accounts from the pipeline and keeps their audit entries' {
            Get-PMAccount -Target web* -UserName alice | Remove-PMAccount -Confirm:$false

            (Get-PMAccount | ForEach-Object ToString) | Should -Be 'web01/root'
            (Get-PMAuditLog -Action AccountRemoved).Count | Should -Be 2
            (Get-PMAuditLog -UserName alice).Count | Should -Be 4
        }

        It 'refuses a reconcile account in use with AccountInUse unless -Force' {
            { Remove-PMAccount web01 root -Confirm:$false -ErrorAction Stop } |
                Should -Throw -ErrorId 'AccountInUse,PassMan.Commands.RemovePMAccountCommand'

            Remove-PMAccount web01 root -Force -Confirm:$false

            (Get-PMAccount web01 alice).ReconcileAccount | Should -BeNullOrEmpty
        }

        It 'removes nothing with -WhatIf' {
            Get-PMAccount | Remove-PMAccount -WhatIf

            (Get-PMAccount).Count | Should -Be 3
        }
    }
}
