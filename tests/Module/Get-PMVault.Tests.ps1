BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    # Runs a script in a new runspace where only the per-user default, under XDG_DATA_HOME, names a vault.
    function Invoke-WithDefaultVault([string] $DataFolder, [scriptblock] $ScriptBlock) {
        Invoke-InNewRunspace -ArgumentList $DataFolder, $ScriptBlock.ToString() -ScriptBlock {
            param($data, $script)
            $saved = $env:XDG_DATA_HOME, $env:PASSMAN_VAULT
            $env:XDG_DATA_HOME, $env:PASSMAN_VAULT = $data, $null
            try { & ([scriptblock]::Create($script)) }
            finally { $env:XDG_DATA_HOME, $env:PASSMAN_VAULT = $saved }
        }
    }
}

Describe 'Get-PMVault' {
    Context 'Which vault' {
        It 'describes the session''s vault' {
            $path = Join-Path $TestDrive 'session.db'
            $null = New-PMVault -Path $path

            $info = Get-PMVault

            $info.Path | Should -Be $path
            $info.FormatVersion | Should -Be 6
            $info.Protection | Should -Be 'KeyFile'
            $info.TargetCount, $info.AccountCount, $info.CredentialCount | Should -Be 0, 0, 0
        }

        It 'uses PASSMAN_VAULT when no vault was opened in the runspace' {
            $path = Join-Path $TestDrive 'env.db'
            $null = New-PMVault -Path $path

            $result = Invoke-InNewRunspace -ScriptBlock {
                param($path)
                $env:PASSMAN_VAULT = $path
                try { Get-PMVault } finally { $env:PASSMAN_VAULT = $null }
            } -ArgumentList $path

            $result.Errors | Should -BeNullOrEmpty
            $result.Output[0].Path | Should -Be $path
            $result.Output[0].IsLocked | Should -BeTrue
        }

        It 'uses the per-user default under XDG_DATA_HOME when nothing else names a vault' {
            $data = Join-Path $TestDrive 'xdg data'
            $result = Invoke-WithDefaultVault $data { $null = New-PMVault; Get-PMVault }

            $result.Errors | Should -BeNullOrEmpty
            $result.Output[-1].Path | Should -Be (Join-Path $data 'PassMan/vault.db')
        }

        It 'fails with VaultNotFound, naming the default path and New-PMVault, when there is no vault' {
            $data = Join-Path $TestDrive 'empty xdg'
            $result = Invoke-WithDefaultVault $data { Get-PMVault }

            $result.Errors.Count | Should -Be 1
            Get-ErrorId $result.Errors[0] | Should -Be 'VaultNotFound'
            $result.Errors[0].Exception.Message | Should -Match ([regex]::Escape((Join-Path $data 'PassMan/vault.db')))
            $result.Errors[0].Exception.Message | Should -Match 'New-PMVault'
            Test-Path $data | Should -BeFalse
        }

        It 'describes the vault at -Path without changing the session''s vault' {
            $session = Join-Path $TestDrive 'mine.db'
            $other = Join-Path $TestDrive 'theirs.db'
            $null = New-PMVault -Path $other -Passphrase (ConvertTo-TestSecureString 'their passphrase')
            $null = New-PMVault -Path $session

            (Get-PMVault -Path $other).Protection | Should -Be 'Passphrase'
            (Get-PMVault).Path | Should -Be $session
        }
    }

    Context 'Pipeline' {
        It 'takes paths by value and files by PSPath, with one error per bad item' {
            $folder = Join-Path $TestDrive 'many'
            $null = New-Item -ItemType Directory -Path $folder
            $null = New-PMVault -Path (Join-Path $folder 'a.db')
            $null = New-PMVault -Path (Join-Path $folder 'b.db')
            Set-Content -LiteralPath (Join-Path $folder 'c.db') -Value 'not a vault'

            $byFile = Get-ChildItem $folder -Filter *.db |
                Get-PMVault -ErrorVariable failures -ErrorAction SilentlyContinue
            $byValue = (Join-Path $folder 'a.db') | Get-PMVault

            $byFile.Path | Should -Be (Join-Path $folder 'a.db'), (Join-Path $folder 'b.db')
            $failures.Count | Should -Be 1
            Get-ErrorId $failures[0] | Should -Be 'NotAVault'
            $failures[0].TargetObject | Should -Be (Join-Path $folder 'c.db')
            $byValue.Path | Should -Be (Join-Path $folder 'a.db')
        }
    }

    Context 'Errors' {
        It 'fails with VaultFormatTooNew for a vault written by a newer PassMan, and changes nothing' {
            $path = Join-Path $TestDrive 'newer.db'
            $null = New-PMVault -Path $path
            $null = New-PMVault -Path (Join-Path $TestDrive 'elsewhere.db')
            $bytes = [IO.File]::ReadAllBytes($path)
            # SQLite's user_version, big-endian at offset 60 of the header, holds the format version.
            $bytes[60], $bytes[61], $bytes[62], $bytes[63] = 0, 0, 3, 231
            [IO.File]::WriteAllBytes($path, $bytes)
            $before = (Get-FileHash -LiteralPath $path).Hash

            Get-PMVault -Path $path -ErrorVariable failures -ErrorAction SilentlyContinue

            Get-ErrorId $failures[0] | Should -Be 'VaultFormatTooNew'
            $failures[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $failures[0].Exception.Message | Should -Match '999'
            (Get-FileHash -LiteralPath $path).Hash | Should -Be $before
        }
    }

    Context 'Formatting' {
        It 'shows the vault as a list with its protection and lock state' {
            $null = New-PMVault -Path (Join-Path $TestDrive 'shown.db')

            $text = Get-PMVault | Out-String

            $text | Should -Match 'Protection\s+: KeyFile'
            $text | Should -Match 'Locked\s+: False'
            $text | Should -Match 'Credentials\s+: 0'
        }

        It 'has a table view' {
            $text = Get-PMVault | Format-Table | Out-String

            $text | Should -Match 'Path\s+Protection\s+Locked'
        }
    }
}
