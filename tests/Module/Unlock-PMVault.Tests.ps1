BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:passphrase = ConvertTo-TestSecureString 'correct horse battery staple'
}

Describe 'Unlock-PMVault and Lock-PMVault' {
    Context 'A passphrase vault' {
        BeforeAll {
            $script:path = Join-Path $TestDrive 'team.db'
            $null = New-PMVault -Path $path -Passphrase $passphrase
        }

        It 'locks, and unlocks with the right passphrase' {
            (Lock-PMVault -PassThru).IsLocked | Should -BeTrue
            (Get-PMVault).IsLocked | Should -BeTrue

            Unlock-PMVault -Path $path -Passphrase $passphrase | Should -BeNullOrEmpty

            (Get-PMVault).IsLocked | Should -BeFalse
        }

        It 'fails with WrongPassphrase, changes nothing and keeps the session''s vault' {
            $other = Join-Path $TestDrive 'other.db'
            $null = New-PMVault -Path $other
            $before = (Get-FileHash -LiteralPath $path).Hash

            $wrong = ConvertTo-TestSecureString 'wrong passphrase'
            $failure = { Unlock-PMVault -Path $path -Passphrase $wrong -ErrorAction Stop } |
                Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'WrongPassphrase'
            $failure.CategoryInfo.Category | Should -Be 'AuthenticationError'
            $failure.TargetObject | Should -Be $path
            (Get-FileHash -LiteralPath $path).Hash | Should -Be $before
            (Get-PMVault).Path | Should -Be $other
        }

        It 'fails with InteractiveInputRequired, naming -Passphrase, when it would have to prompt' {
            $failure = { Unlock-PMVault -Path $path -ErrorAction Stop } | Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'InteractiveInputRequired'
            $failure.Exception.Message | Should -Match '-Passphrase'
        }

        It 'drops the key on Lock-PMVault, so the next use of it needs the passphrase again' {
            $null = Unlock-PMVault -Path $path -Passphrase $passphrase
            Lock-PMVault

            $failure = { Set-PMVault -NewPassphrase $passphrase -ErrorAction Stop } | Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'InteractiveInputRequired'
            $failure.Exception.Message | Should -Match 'needs -Passphrase'
        }

        It 'writes the vault with -PassThru' {
            $info = Unlock-PMVault -Path $path -Passphrase $passphrase -PassThru

            $info.Path | Should -Be $path
            $info.IsLocked | Should -BeFalse
        }
    }

    Context 'A key-file vault' {
        It 'unlocks without a passphrase and refuses one' {
            $path = Join-Path $TestDrive 'ops.db'
            $null = New-PMVault -Path $path
            Lock-PMVault

            (Unlock-PMVault -Path $path -PassThru).IsLocked | Should -BeFalse
            { Unlock-PMVault -Path $path -Passphrase $passphrase -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterConflict,PassMan.Commands.UnlockPMVaultCommand'
        }

        It 'fails with KeyFileInsecure when others can read the key file' {
            $path = Join-Path $TestDrive 'loose.db'
            $null = New-PMVault -Path $path
            chmod 644 "$path.key"

            $failure = { Unlock-PMVault -Path $path -ErrorAction Stop } | Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'KeyFileInsecure'
            $failure.CategoryInfo.Category | Should -Be 'SecurityError'
        }
    }

    Context 'Errors' {
        It 'fails with VaultNotFound, naming the path and New-PMVault, for a missing vault' {
            $path = Join-Path $TestDrive 'missing.db'

            $failure = { Unlock-PMVault -Path $path -ErrorAction Stop } | Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'VaultNotFound'
            $failure.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failure.Exception.Message | Should -Match ([regex]::Escape($path))
            $failure.Exception.Message | Should -Match 'New-PMVault'
            Test-Path $path | Should -BeFalse
        }

        It 'fails with NotAVault for a file that is not a vault' {
            $path = Join-Path $TestDrive 'notes.txt'
            Set-Content -LiteralPath $path -Value ('x' * 5000)

            { Unlock-PMVault -Path $path -ErrorAction Stop } |
                Should -Throw -ErrorId 'NotAVault,PassMan.Commands.UnlockPMVaultCommand'
        }

        It 'honours -ErrorAction SilentlyContinue' {
            $missing = Join-Path $TestDrive 'missing.db'
            Unlock-PMVault -Path $missing -ErrorAction SilentlyContinue -ErrorVariable failures

            Get-ErrorId $failures[0] | Should -Be 'VaultNotFound'
        }
    }

    Context 'Lock-PMVault with no vault open' {
        It 'does nothing and writes no error' {
            $result = Invoke-InNewRunspace -ScriptBlock { Lock-PMVault; 'done' }

            $result.Errors | Should -BeNullOrEmpty
            $result.Output | Should -Be 'done'
        }
    }
}
