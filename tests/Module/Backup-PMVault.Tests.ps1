BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:passphrase = ConvertTo-TestSecureString 'correct horse battery staple'
}

Describe 'Backup-PMVault' {
    Context 'Protection of the copy' {
        It 'copies a key-file vault and names the key file the copy needs' {
            $path = Join-Path $TestDrive 'keyed.db'
            $null = New-PMVault -Path $path

            $backup = Backup-PMVault -Destination (Join-Path $TestDrive 'keyed copy.db') `
                -WarningVariable warnings -WarningAction SilentlyContinue

            $backup.GetType().FullName | Should -Be 'PassMan.VaultBackup'
            $backup.Protection | Should -Be 'KeyFile'
            $backup.KeyFilePath | Should -Be "$path.key"
            $warnings[0] | Should -Match ([regex]::Escape("$path.key"))
            (Get-PMVault -Path $backup.Path).VaultId | Should -Be (Get-PMVault).VaultId
            (Get-Item -LiteralPath $backup.Path).UnixMode | Should -Be '-rw-------'
        }

        It 'copies a passphrase vault that opens with the same passphrase only' {
            $null = New-PMVault -Path (Join-Path $TestDrive 'secret.db') -Passphrase $passphrase
            $copy = Join-Path $TestDrive 'secret copy.db'

            $null = Backup-PMVault -Destination $copy

            $wrong = ConvertTo-TestSecureString 'another passphrase'
            { Unlock-PMVault -Path $copy -Passphrase $wrong -ErrorAction Stop } |
                Should -Throw -ErrorId 'WrongPassphrase,PassMan.Commands.UnlockPMVaultCommand'
            { Unlock-PMVault -Path $copy -Passphrase $passphrase -ErrorAction Stop } | Should -Not -Throw
        }
    }

    Context 'Destination' {
        BeforeAll {
            $null = New-PMVault -Path (Join-Path $TestDrive 'vault.db')
        }

        It 'writes a time-stamped copy into an existing folder' {
            $folder = Join-Path $TestDrive 'backups'
            $null = New-Item -ItemType Directory -Path $folder

            $backup = Backup-PMVault -Destination $folder -WarningAction SilentlyContinue

            Split-Path $backup.Path | Should -Be $folder
            Split-Path $backup.Path -Leaf | Should -Match '^vault-\d{8}T\d{6}Z\.db$'
        }

        It 'refuses an existing file with BackupDestinationExists and leaves it as it was' {
            $target = Join-Path $TestDrive 'taken.txt'
            Set-Content -LiteralPath $target -Value 'keep me'

            $failure = { Backup-PMVault -Destination $target -ErrorAction Stop -WarningAction SilentlyContinue } |
                Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'BackupDestinationExists'
            $failure.CategoryInfo.Category | Should -Be 'ResourceExists'
            $failure.TargetObject | Should -Be $target
            Get-Content -LiteralPath $target | Should -Be 'keep me'
        }

        It 'replaces an existing file with -Force' {
            $target = Join-Path $TestDrive 'replace.db'
            Set-Content -LiteralPath $target -Value 'old'

            $null = Backup-PMVault -Destination $target -Force -WarningAction SilentlyContinue

            (Get-PMVault -Path $target).VaultId | Should -Be (Get-PMVault).VaultId
        }

        It 'refuses the vault''s own key file and log files as the destination, even with -Force' {
            $vault = Get-PMVault

            foreach ($own in $vault.KeyFilePath, "$($vault.Path)-wal") {
                { Backup-PMVault -Destination $own -Force -ErrorAction Stop } |
                    Should -Throw -ErrorId 'InvalidPath,PassMan.Commands.BackupPMVaultCommand'
            }
            Lock-PMVault
            { Unlock-PMVault -Path $vault.Path -ErrorAction Stop } | Should -Not -Throw
        }

        It 'writes nothing with -WhatIf' {
            Backup-PMVault -Destination (Join-Path $TestDrive 'whatif.db') -WhatIf

            Test-Path (Join-Path $TestDrive 'whatif.db') | Should -BeFalse
        }
    }

    Context 'While another process writes' {
        It 'holds everything committed before the backup began' {
            $path = Join-Path $TestDrive 'busy.db'
            $null = New-PMVault -Path $path
            $log = Join-Path $TestDrive 'committed.txt'
            $module = Get-TestModulePath

            # The writer is a second pwsh process that adds targets and logs each one once it is committed.
            $writer = Start-Job -ScriptBlock {
                param($module, $path, $log)
                Import-Module $module
                $null = Unlock-PMVault -Path $path
                for ($i = 0; $i -lt 400; $i++) {
                    $null = New-PMTarget -Name "host$i" -HostName "host$i.example.test" -ErrorAction Stop
                    Add-Content -LiteralPath $log -Value "host$i"
                }
            } -ArgumentList $module, $path, $log

            $checks = 0
            while ($writer.State -eq 'Running' -or $checks -eq 0) {
                $committed = if (Test-Path $log) { @(Get-Content -LiteralPath $log).Count } else { 0 }
                $copy = Join-Path $TestDrive "busy copy $checks.db"
                $null = Backup-PMVault -Destination $copy -WarningAction SilentlyContinue
                (Get-PMVault -Path $copy).TargetCount | Should -BeGreaterOrEqual $committed
                $checks++
            }
            $writer | Receive-Job -Wait -AutoRemoveJob -ErrorAction Stop

            $checks | Should -BeGreaterThan 1
            (Get-PMVault).TargetCount | Should -Be 400
        }
    }
}
