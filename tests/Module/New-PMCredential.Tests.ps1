BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    function ConvertFrom-TestSecureString([securestring] $Secret) {
        [System.Net.NetworkCredential]::new('', $Secret).Password
    }
}

Describe 'New-PMCredential' {
    BeforeEach {
        $script:vaultPath = Join-Path $TestDrive "$([guid]::NewGuid()).db"
        $null = New-PMVault -Path $vaultPath
        $null = New-PMTarget web01 web01.example.test
        $null = New-PMAccount web01 alice
        $null = New-PMAccount web01 bob
    }

    Context 'Without an account: a generator' {
        It 'generates a password from the Default policy as a SecureString' {
            $password = New-PMCredential

            $password | Should -BeOfType ([securestring])
            $text = ConvertFrom-TestSecureString $password
            $text.Length | Should -Be 20
            $text | Should -MatchExactly '[A-Z]'
            $text | Should -MatchExactly '[a-z]'
            $text | Should -Match '\d'
        }

        It 'generates from the policy named' {
            $null = New-PMPolicy long -PasswordLength 40 -MinSpecial 0 -SpecialCharacters '-'

            (ConvertFrom-TestSecureString (New-PMCredential -Policy long)).Length | Should -Be 40
        }

        It 'generates a PIN of the policy''s length' {
            ConvertFrom-TestSecureString (New-PMCredential -CredentialType Pin) | Should -Match '^\d{6}$'
        }

        It 'generates an SSH key object whose table row shows no private key' {
            $key = New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519

            $key.GetType().FullName | Should -Be 'PassMan.Model.SshKeyCredential'
            $key.KeyType, $key.Bits | Should -Be 'ssh-ed25519', 256
            $key.Fingerprint | Should -Match '^SHA256:[A-Za-z0-9+/]{43}$'
            $key.PublicKey | Should -Match '^ssh-ed25519 AAAA'
            $key.PrivateKey | Should -BeOfType ([securestring])
            $row = $key | Format-Table | Out-String
            $row | Should -Match 'KeyType\s+Bits\s+Fingerprint'
            $row | Should -Not -Match 'PRIVATE KEY'
        }

        It 'writes a private key that ssh-keygen reads, with the same fingerprint' {
            $key = New-PMCredential -CredentialType SshKey -SshKeyType ecdsa-sha2-nistp256
            $file = Join-Path $TestDrive 'id_ecdsa'
            $null = New-Item -ItemType File -Path $file
            chmod 600 $file
            [IO.File]::WriteAllText($file, (ConvertFrom-TestSecureString $key.PrivateKey))

            (ssh-keygen -l -f $file) -split ' ' | Select-Object -Index 1 | Should -Be $key.Fingerprint
        }
    }

    Context 'With accounts' {
        It 'stores a given password for an account that has none, with status Unknown' {
            $account = Get-PMAccount web01 alice |
                New-PMCredential -Value (ConvertTo-TestSecureString 'given-passw0rd') -PassThru

            $account.Credentials | Should -Be 'Password'
            $account.Status | Should -Be 'Unknown'
        }

        It 'refuses a generated password with ChangeOnTargetUnavailable unless -ChangeOnTarget:$false' {
            $failure = { Get-PMAccount web01 alice | New-PMCredential -ErrorAction Stop } | Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'ChangeOnTargetUnavailable'
            $failure.Exception.Message | Should -Match 'ChangeOnTarget:\$false'
            (Get-PMAccount web01 alice).Credentials | Should -BeNullOrEmpty

            $account = Get-PMAccount web01 alice | New-PMCredential -ChangeOnTarget:$false -PassThru
            $account.Credentials | Should -Be 'Password'
            $account.Status | Should -Be 'NotInSync'
        }

        It 'adds one SSH key of each type, and refuses a second of one type with CredentialExists' {
            foreach ($type in 'ssh-ed25519', 'ecdsa-sha2-nistp256') {
                Get-PMAccount web01 alice |
                    New-PMCredential -CredentialType SshKey -SshKeyType $type -ChangeOnTarget:$false
            }

            $again = { Get-PMAccount web01 alice |
                    New-PMCredential SshKey -SshKeyType ssh-ed25519 -ChangeOnTarget:$false -ErrorAction Stop }
            $failure = $again | Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'CredentialExists'
            $failure.Exception.Message | Should -Match 'Reset-PMCredential'
            (Get-PMAccount web01 alice).Credentials | Should -Be 'SshKey:ecdsa-sha2-nistp256, SshKey:ssh-ed25519'
        }

        It 'imports a key file made by ssh-keygen, encrypted, with -KeyPassphrase' {
            $file = Join-Path $TestDrive 'id_rsa'
            ssh-keygen -q -t rsa -b 2048 -N 'key passphrase' -f $file

            Get-PMAccount web01 alice | New-PMCredential -CredentialType SshKey -PrivateKeyPath $file `
                -KeyPassphrase (ConvertTo-TestSecureString 'key passphrase') -ChangeOnTarget:$false

            (Get-PMAccount web01 alice).Credentials | Should -Be 'SshKey:ssh-rsa'
            { Get-PMAccount web01 bob | New-PMCredential -CredentialType SshKey -PrivateKeyPath $file `
                    -ChangeOnTarget:$false -ErrorAction Stop } |
                Should -Throw -ErrorId 'KeyPassphraseRequired,PassMan.Commands.NewPMCredentialCommand'
        }

        It 'takes accounts by target and user name from Import-Csv, one error per bad row' {
            $rows = @(
                [pscustomobject]@{ Target = 'web01'; UserName = 'alice' }
                [pscustomobject]@{ Target = 'web01'; UserName = 'carol' }
                [pscustomobject]@{ Target = 'web01'; UserName = 'bob' }
            )

            $rows | New-PMCredential -CredentialType Pin -ErrorVariable failures -ErrorAction SilentlyContinue

            (Get-PMAccount web01).Credentials | Should -Be 'Pin', 'Pin'
            Get-ErrorId $failures[0] | Should -Be 'AccountNotFound'
        }

        It 'refuses parameters that do not go together with ParameterConflict' {
            { New-PMCredential -CredentialType Pin -SshKeyType ssh-rsa -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterConflict,PassMan.Commands.NewPMCredentialCommand'
            $value = ConvertTo-TestSecureString 'x'
            { Get-PMAccount web01 alice |
                    New-PMCredential SshKey -Value $value -ChangeOnTarget:$false -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterConflict,PassMan.Commands.NewPMCredentialCommand'
        }

        It 'refuses a PIN that is not digits with InvalidArgument' {
            $value = ConvertTo-TestSecureString '12a4'
            { Get-PMAccount web01 alice | New-PMCredential -CredentialType Pin -Value $value -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,PassMan.Commands.NewPMCredentialCommand'
        }

        It 'adds nothing with -WhatIf' {
            Get-PMAccount web01 | New-PMCredential -CredentialType Pin -WhatIf

            (Get-PMVault).CredentialCount | Should -Be 0
        }
    }

    Context 'Secret hygiene' {
        It 'writes a generated or given secret to no stream, verbose and debug on, nor to the vault file' {
            $given = 'given-secret-0123456789-abcdef'
            $streams = & {
                $VerbosePreference = 'Continue'
                $DebugPreference = 'Continue'
                $InformationPreference = 'Continue'
                Get-PMAccount web01 alice | New-PMCredential -Value (ConvertTo-TestSecureString $given) -Verbose -Debug
                Get-PMAccount web01 bob | New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 `
                    -ChangeOnTarget:$false -Verbose -Debug
                $generated = New-PMCredential -Verbose -Debug
                "GENERATED=$(ConvertFrom-TestSecureString $generated)"
            } *>&1 | Out-String
            $generatedValue = ([regex]::Match($streams, 'GENERATED=(\S+)')).Groups[1].Value
            $logged = $streams -replace 'GENERATED=\S+', ''

            $generatedValue.Length | Should -Be 20
            $logged | Should -Not -Match ([regex]::Escape($given))
            $logged | Should -Not -Match ([regex]::Escape($generatedValue))
            $logged | Should -Not -Match 'PRIVATE KEY'
            foreach ($file in $vaultPath, "$vaultPath-wal") {
                if (Test-Path $file) {
                    $bytes = [IO.File]::ReadAllText($file, [Text.Encoding]::Latin1)
                    $bytes | Should -Not -Match ([regex]::Escape($given))
                    $bytes | Should -Not -Match 'PRIVATE KEY'
                }
            }
        }
    }
}
