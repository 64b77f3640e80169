BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:passphrase = ConvertTo-TestSecureString 'correct horse battery staple'
}

Describe 'New-PMVault' {
    Context 'Key-file protection' {
        It 'creates the vault and an owner-only key file in an owner-only folder, and returns the vault' {
            $folder = Join-Path $TestDrive 'new folder'
            $path = Join-Path $folder 'vault.db'

            $info = New-PMVault -Path $path

            $info | Should -BeOfType ([object])
            $info.GetType().FullName | Should -Be 'PassMan.VaultInfo'
            $info.Path | Should -Be $path
            $info.Protection | Should -Be 'KeyFile'
            $info.KeyFilePath | Should -Be "$path.key"
            $info.IsLocked | Should -BeFalse
            (Get-Item -LiteralPath $folder).UnixMode | Should -Be 'drwx------'
            (Get-Item -LiteralPath "$path.key").UnixMode | Should -Be '-rw-------'
        }

        It 'resolves a relative path against the current location' {
            Push-Location $TestDrive
            try {
                $info = New-PMVault -Path ./relative.db
            }
            finally {
                Pop-Location
            }

            $info.Path | Should -Be (Join-Path $TestDrive 'relative.db')
        }

        It 'writes the key file where -KeyFilePath says' {
            $info = New-PMVault -Path (Join-Path $TestDrive 'k.db') -KeyFilePath (Join-Path $TestDrive 'keys/k.key')

            $info.KeyFilePath | Should -Be (Join-Path $TestDrive 'keys/k.key')
            Test-Path (Join-Path $TestDrive 'keys/k.key') | Should -BeTrue
        }

        It 'creates the vault named by PASSMAN_VAULT when no path is given' {
            $path = Join-Path $TestDrive 'from env.db'
            $result = Invoke-InNewRunspace -ScriptBlock {
                param($path)
                $env:PASSMAN_VAULT = $path
                try { New-PMVault } finally { $env:PASSMAN_VAULT = $null }
            } -ArgumentList $path

            $result.Errors | Should -BeNullOrEmpty
            $result.Output[0].Path | Should -Be $path
        }
    }

    Context 'Passphrase protection' {
        It 'creates a passphrase vault that is unlocked in this session' {
            $info = New-PMVault -Path (Join-Path $TestDrive 'p.db') -Passphrase $passphrase

            $info.Protection | Should -Be 'Passphrase'
            $info.KeyFilePath | Should -BeNullOrEmpty
            $info.IsLocked | Should -BeFalse
            Test-Path (Join-Path $TestDrive 'p.db.key') | Should -BeFalse
        }

        It 'refuses a passphrase shorter than 8 characters and writes nothing' {
            $path = Join-Path $TestDrive 'short.db'

            { New-PMVault -Path $path -Passphrase (ConvertTo-TestSecureString 'short') -ErrorAction Stop } |
                Should -Throw -ErrorId 'PassphraseTooShort,PassMan.Commands.NewPMVaultCommand'
            Test-Path $path | Should -BeFalse
        }

        It 'fails with InteractiveInputRequired, naming -Passphrase, when it would have to prompt' {
            $path = Join-Path $TestDrive 'prompt.db'

            $failure = { New-PMVault -Path $path -Protection Passphrase -ErrorAction Stop } | Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'InteractiveInputRequired'
            $failure.Exception.Message | Should -Match '-Passphrase'
            $failure.CategoryInfo.Category | Should -Be 'InvalidOperation'
            Test-Path $path | Should -BeFalse
        }
    }

    Context 'Bad input' {
        It 'refuses a path where a vault exists, with VaultExists, and leaves it unchanged' {
            $path = Join-Path $TestDrive 'exists.db'
            $null = New-PMVault -Path $path
            $before = (Get-FileHash -LiteralPath $path).Hash

            $failure = { New-PMVault -Path $path -ErrorAction Stop } | Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'VaultExists'
            $failure.CategoryInfo.Category | Should -Be 'ResourceExists'
            $failure.TargetObject | Should -Be $path
            (Get-FileHash -LiteralPath $path).Hash | Should -Be $before
        }

        It 'refuses -Passphrase together with -Protection KeyFile' {
            $path = Join-Path $TestDrive 'c.db'
            { New-PMVault -Path $path -Protection KeyFile -Passphrase $passphrase -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterConflict,PassMan.Commands.NewPMVaultCommand'
            Test-Path (Join-Path $TestDrive 'c.db') | Should -BeFalse
        }

        It 'refuses a path on a provider other than the file system' {
            { New-PMVault -Path 'Env:/vault' -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidPath,PassMan.Commands.NewPMVaultCommand'
        }
    }

    Context 'WhatIf' {
        It 'creates nothing' {
            $path = Join-Path $TestDrive 'whatif.db'

            New-PMVault -Path $path -WhatIf

            Test-Path $path | Should -BeFalse
            Test-Path "$path.key" | Should -BeFalse
        }
    }
}
