BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:passphrase = ConvertTo-TestSecureString 'correct horse battery staple'
    $script:newPassphrase = ConvertTo-TestSecureString 'a new and longer passphrase'
}

Describe 'Set-PMVault' {
    Context 'A new passphrase' {
        It 'opens with the new passphrase and no longer with the old' {
            $path = Join-Path $TestDrive 'change.db'
            $null = New-PMVault -Path $path -Passphrase $passphrase

            Set-PMVault -NewPassphrase $newPassphrase

            Lock-PMVault
            { Unlock-PMVault -Path $path -Passphrase $passphrase -ErrorAction Stop } |
                Should -Throw -ErrorId 'WrongPassphrase,PassMan.Commands.UnlockPMVaultCommand'
            { Unlock-PMVault -Path $path -Passphrase $newPassphrase -ErrorAction Stop } | Should -Not -Throw
        }

        It 'unlocks a locked vault with -Passphrase for the change and locks it again' {
            $path = Join-Path $TestDrive 'locked.db'
            $null = New-PMVault -Path $path -Passphrase $passphrase
            Lock-PMVault

            $info = Set-PMVault -Passphrase $passphrase -NewPassphrase $newPassphrase -PassThru

            $info.IsLocked | Should -BeTrue
            { Unlock-PMVault -Passphrase $newPassphrase -ErrorAction Stop } | Should -Not -Throw
        }

        It 'fails with WrongPassphrase for a wrong current passphrase and keeps the old one' {
            $path = Join-Path $TestDrive 'wrong.db'
            $null = New-PMVault -Path $path -Passphrase $passphrase
            Lock-PMVault

            { Set-PMVault -Passphrase $newPassphrase -NewPassphrase $newPassphrase -ErrorAction Stop } |
                Should -Throw -ErrorId 'WrongPassphrase,PassMan.Commands.SetPMVaultCommand'
            { Unlock-PMVault -Passphrase $passphrase -ErrorAction Stop } | Should -Not -Throw
        }

        It 'fails with InteractiveInputRequired, naming -NewPassphrase, when it would have to prompt' {
            $null = New-PMVault -Path (Join-Path $TestDrive 'prompt.db') -Passphrase $passphrase

            $failure = { Set-PMVault -ErrorAction Stop } | Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'InteractiveInputRequired'
            $failure.Exception.Message | Should -Match '-NewPassphrase'
        }
    }

    Context 'Switching protection' {
        It 'switches a key-file vault to a passphrase and warns that the old key file still opens old backups' {
            $path = Join-Path $TestDrive 'switch.db'
            $null = New-PMVault -Path $path

            $info = Set-PMVault -NewPassphrase $newPassphrase -PassThru `
                -WarningVariable warnings -WarningAction SilentlyContinue

            $info.Protection | Should -Be 'Passphrase'
            $info.KeyFilePath | Should -BeNullOrEmpty
            $warnings[0] | Should -Match ([regex]::Escape("$path.key"))
            Test-Path "$path.key" | Should -BeTrue
        }

        It 'switches a passphrase vault to a new key file' {
            $path = Join-Path $TestDrive 'tokey.db'
            $null = New-PMVault -Path $path -Passphrase $passphrase

            $info = Set-PMVault -Protection KeyFile -PassThru

            $info.Protection | Should -Be 'KeyFile'
            $info.KeyFilePath | Should -Be "$path.key"
            (Get-Item -LiteralPath "$path.key").UnixMode | Should -Be '-rw-------'
        }

        It 'refuses to re-use the current key file with ProtectionUnchanged' {
            $null = New-PMVault -Path (Join-Path $TestDrive 'same.db')

            { Set-PMVault -Protection KeyFile -ErrorAction Stop } |
                Should -Throw -ErrorId 'ProtectionUnchanged,PassMan.Commands.SetPMVaultCommand'
        }
    }

    Context 'WhatIf' {
        It 'changes nothing' {
            $path = Join-Path $TestDrive 'whatif.db'
            $null = New-PMVault -Path $path
            $before = (Get-FileHash -LiteralPath $path).Hash

            Set-PMVault -NewPassphrase $newPassphrase -WhatIf

            (Get-PMVault).Protection | Should -Be 'KeyFile'
            (Get-FileHash -LiteralPath $path).Hash | Should -Be $before
        }
    }
}
