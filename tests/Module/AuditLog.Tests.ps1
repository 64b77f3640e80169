BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
}

Describe 'Get-PMAuditLog and Test-PMAuditLog' {
    BeforeEach {
        $script:vaultPath = Join-Path $TestDrive "$([guid]::NewGuid()).db"
        $null = New-PMVault -Path $vaultPath
        $null = New-PMTarget web01 web01.example.test
        $null = New-PMAccount web01 alice
        $null = New-PMAccount web01 bob
        Remove-PMAccount web01 bob -Confirm:$false
    }

    It 'lists every change with time, OS user, machine, action, target, account and outcome' {
        $entries = Get-PMAuditLog

        $entries.Action |
            Should -Be 'VaultCreated', 'TargetCreated', 'AccountCreated', 'AccountCreated', 'AccountRemoved'
        $entries[2].User | Should -Be ([Environment]::UserName)
        $entries[2].Machine | Should -Be ([Environment]::MachineName)
        $entries[2].Target, $entries[2].UserName, $entries[2].Outcome | Should -Be 'web01', 'alice', 'Success'
        $entries[2].Time | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'
    }

    It 'filters by target, user name, action, time and the last entries' {
        (Get-PMAuditLog -Target WEB*).Count | Should -Be 4
        (Get-PMAuditLog -UserName bob).Action | Should -Be 'AccountCreated', 'AccountRemoved'
        (Get-PMAuditLog -Action Account*).Count | Should -Be 3
        (Get-PMAuditLog -Last 2).Sequence | Should -Be 4, 5
        Get-PMAuditLog -After (Get-Date).AddMinutes(1) | Should -BeNullOrEmpty
        (Get-PMAuditLog -Before (Get-Date).AddMinutes(1)).Count | Should -Be 5
    }

    It 'refuses -Last below 1 with InvalidArgument' {
        { Get-PMAuditLog -Last 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidArgument,PassMan.Commands.GetPMAuditLogCommand'
    }

    It 'reports a valid chain' {
        $result = Test-PMAuditLog

        $result.IsValid | Should -BeTrue
        $result.EntryCount | Should -Be 5
        Test-PMAuditLog -Quiet | Should -BeTrue
    }

    It 'finds an entry edited with a SQLite tool behind PassMan''s back' {
        $engine = (Get-PMVault).GetType().Assembly
        $sqlite = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($engine).Assemblies |
            Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' }
        $connectionType = $sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection')
        $connection = [Activator]::CreateInstance($connectionType, "Data Source=$vaultPath;Pooling=False")
        try {
            $connection.Open()
            $command = $connection.CreateCommand()
            $command.CommandText = "UPDATE audit_log SET user_name = 'mallory' WHERE sequence = 3"
            $null = $command.ExecuteNonQuery()
        }
        finally {
            $connection.Dispose()
        }

        $result = Test-PMAuditLog

        $result.IsValid | Should -BeFalse
        $result.FirstBrokenSequence | Should -Be 3
        Test-PMAuditLog -Quiet | Should -BeFalse
    }

    It 'shows entries as a table' {
        (Get-PMAuditLog | Format-Table | Out-String) | Should -Match 'Sequence\s+Time\s+User\s+Action'
    }
}
