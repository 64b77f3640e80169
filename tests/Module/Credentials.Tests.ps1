BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    function ConvertFrom-TestSecureString([securestring] $Secret) {
        [System.Net.NetworkCredential]::new('', $Secret).Password
    }

    function Get-VaultDump([string] $Path) {
        # Content, not file bytes: SQLite may checkpoint or rewrite pages without a change.
        Invoke-VaultSql $Path 'SELECT id, secret, status, version, value_mac FROM credentials ORDER BY id'
        Invoke-VaultSql $Path 'SELECT id, secret, version FROM credential_versions ORDER BY id'
        Invoke-VaultSql $Path 'SELECT count(*) FROM audit_log'
    }
}

Describe 'Reset-PMCredential and Get-PMCredential' {
    BeforeEach {
        $script:vaultPath = Join-Path $TestDrive "$([guid]::NewGuid()).db"
        $null = New-PMVault -Path $vaultPath
        $null = New-PMTarget web01 web01.example.test
        $null = New-PMAccount web01 alice -Password (ConvertTo-TestSecureString 'Alice-Start-1')
        $null = New-PMAccount web01 bob -Password (ConvertTo-TestSecureString 'Bob-Start-1')
    }

    Context 'Resetting in the vault' {
        It 'generates a new password that the next checkout returns, as a PSCredential' {
            $result = Get-PMAccount web01 alice | Reset-PMCredential -Generate -ChangeOnTarget:$false -Force -PassThru
            $credential = Get-PMAccount web01 alice | Get-PMCredential

            $result.GetType().FullName | Should -Be 'PassMan.Model.ResetResult'
            $result.Target, $result.UserName, $result.Version, $result.ChangedOnTarget |
                Should -Be 'web01', 'alice', 2, $false
            $result.StatusBefore, $result.StatusAfter | Should -Be 'Unknown', 'NotInSync'
            $credential | Should -BeOfType ([pscredential])
            $credential.UserName | Should -Be 'alice'
            $credential.GetNetworkCredential().Password.Length | Should -Be 20
            $credential.GetNetworkCredential().Password | Should -Not -Be 'Alice-Start-1'
        }

        It 'stores a given value, and a PIN needs no -ChangeOnTarget:$false' {
            Get-PMAccount web01 alice | New-PMCredential -CredentialType Pin -Value (ConvertTo-TestSecureString '1111')

            Reset-PMCredential web01 alice -NewCredential (ConvertTo-TestSecureString 'Given-Value-2') `
                -ChangeOnTarget:$false -Force
            Reset-PMCredential web01 alice -CredentialType Pin -NewCredential (ConvertTo-TestSecureString '2468') -Force

            (Get-PMCredential web01 alice).GetNetworkCredential().Password | Should -Be 'Given-Value-2'
            ConvertFrom-TestSecureString (Get-PMCredential web01 alice -CredentialType Pin) | Should -Be '2468'
        }

        It 'resets an SSH key, and checkout returns the new key' {
            Get-PMAccount web01 alice |
                New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 -ChangeOnTarget:$false

            $result = Reset-PMCredential web01 alice -CredentialType SshKey -SshKeyType ssh-ed25519 -Generate `
                -ChangeOnTarget:$false -Force -PassThru
            $key = Get-PMCredential web01 alice -CredentialType SshKey -SshKeyType ssh-ed25519

            $key.GetType().FullName | Should -Be 'PassMan.Model.SshKeyCredential'
            $key.UserName | Should -Be 'alice'
            $key.Fingerprint | Should -Be $result.Fingerprint
            ($result | Get-PMCredential).Fingerprint | Should -Be $result.Fingerprint
        }

        It 'turns an InSync credential NotInSync, with a warning and a confirmation that says so' {
            Invoke-VaultSql $vaultPath "UPDATE credentials SET status = 'InSync'; UPDATE accounts SET status = 'InSync'"
            $null = Unlock-PMVault -Path $vaultPath

            # With -Confirm:$false, ShouldProcess writes the confirmation text to the verbose stream.
            $said = Get-PMAccount web01 alice |
                Reset-PMCredential -Generate -ChangeOnTarget:$false -Confirm:$false -Verbose `
                    -WarningVariable warnings -WarningAction SilentlyContinue 4>&1 | Out-String

            $warnings[0] | Should -Match 'loses InSync'
            $said | Should -Match 'password, in the vault only'
            $said | Should -Match 'the account will lose InSync'
            $said | Should -Match 'web01 / alice'
            (Get-PMAccount web01 alice).Status | Should -Be 'NotInSync'
            (Get-PMAccount web01 bob).Status | Should -Be 'InSync'
        }

        It 'resets many accounts from the pipeline, one error for the bad one, and results pipe on' {
            $null = New-PMAccount web01 carol

            $results = Get-PMAccount web01 |
                Reset-PMCredential -Generate -ChangeOnTarget:$false -Force -PassThru -ErrorVariable failures `
                    -ErrorAction SilentlyContinue

            $results.UserName | Should -Be 'alice', 'bob'
            Get-ErrorId $failures[0] | Should -Be 'CredentialNotFound'
            ($results | Get-PMCredential).UserName | Should -Be 'alice', 'bob'
        }

        It 'changes nothing with -WhatIf, nor with $WhatIfPreference and -Force' {
            $before = Get-VaultDump $vaultPath

            Get-PMAccount | Reset-PMCredential -Generate -ChangeOnTarget:$false -WhatIf
            & {
                $WhatIfPreference = $true
                Get-PMAccount | Reset-PMCredential -Generate -ChangeOnTarget:$false -Force
            }

            Get-VaultDump $vaultPath | Should -Be $before
        }
    }

    Context 'Refusals that change nothing' {
        BeforeEach {
            $script:before = Get-VaultDump $vaultPath
        }

        AfterEach {
            Get-VaultDump $vaultPath | Should -Be $before
        }

        It 'refuses -Verify with a change on the target, and -Reconcile without one, with ParameterConflict' {
            { Reset-PMCredential web01 alice -Generate -Verify -Force -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterConflict,PassMan.Commands.ResetPMCredentialCommand'
            { Reset-PMCredential web01 alice -Generate -Reconcile -ChangeOnTarget:$false -Force -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterConflict,PassMan.Commands.ResetPMCredentialCommand'
        }

        It 'refuses a value used within the policy''s history with CredentialReused' {
            { Reset-PMCredential web01 alice -NewCredential (ConvertTo-TestSecureString 'Alice-Start-1') `
                    -ChangeOnTarget:$false -Force -ErrorAction Stop } |
                Should -Throw -ErrorId 'CredentialReused,PassMan.Commands.ResetPMCredentialCommand'
        }

        It 'refuses an account without the credential, or without that key type, with CredentialNotFound' {
            { Reset-PMCredential web01 alice -CredentialType Pin -Generate -Force -ErrorAction Stop } |
                Should -Throw -ErrorId 'CredentialNotFound,PassMan.Commands.ResetPMCredentialCommand'
            { Reset-PMCredential web01 alice -CredentialType SshKey -SshKeyType ssh-dss -Generate `
                    -ChangeOnTarget:$false -Force -ErrorAction Stop } |
                Should -Throw -ErrorId 'CredentialNotFound,PassMan.Commands.ResetPMCredentialCommand'
        }

        It 'refuses an unknown key type with InvalidArgument and a second value source with ParameterConflict' {
            { Reset-PMCredential web01 alice -CredentialType SshKey -SshKeyType ssh-rsa1 -Generate -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,PassMan.Commands.ResetPMCredentialCommand'
            $value = ConvertTo-TestSecureString 'x-1'
            { Reset-PMCredential web01 alice -Generate -NewCredential $value -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterConflict,PassMan.Commands.ResetPMCredentialCommand'
        }

        It 'fails with InteractiveInputRequired, naming -Generate and -NewCredential, instead of a prompt' {
            $failure = { Reset-PMCredential web01 alice -ChangeOnTarget:$false -Force -ErrorAction Stop } |
                Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'InteractiveInputRequired'
            $failure.Exception.Message | Should -Match '-Generate or -NewCredential'
        }

        It 'fails with InteractiveInputRequired, naming -Force, when it would ask to confirm' {
            $failure = { Reset-PMCredential web01 alice -Generate -ChangeOnTarget:$false -ErrorAction Stop } |
                Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'InteractiveInputRequired'
            $failure.Exception.Message | Should -Match '-Force or -Confirm:\$false'
        }

        It 'refuses a vault-only reset of a credential with a pending change with PendingChange' {
            Invoke-VaultSql $vaultPath "UPDATE credentials SET pending_secret = x'00'"
            $script:before = Get-VaultDump $vaultPath

            { Reset-PMCredential web01 alice -Generate -ChangeOnTarget:$false -Force -ErrorAction Stop } |
                Should -Throw -ErrorId 'PendingChange,PassMan.Commands.ResetPMCredentialCommand'
        }
    }

    Context 'Checkout and history' {
        It 'lists versions without values and checks a past one out' {
            Reset-PMCredential web01 alice -NewCredential (ConvertTo-TestSecureString 'Second-Value-2') `
                -ChangeOnTarget:$false -Force

            $history = Get-PMCredential web01 alice -History
            $first = Get-PMCredential web01 alice -Version 1

            $history.Version | Should -Be 2, 1
            $history.IsCurrent | Should -Be $true, $false
            $history.CreatedBy | Should -Be ([Environment]::UserName), ([Environment]::UserName)
            ($history | Out-String) | Should -Not -Match 'Second-Value-2'
            $first.GetNetworkCredential().Password | Should -Be 'Alice-Start-1'
            { Get-PMCredential web01 alice -Version 7 -ErrorAction Stop } |
                Should -Throw -ErrorId 'VersionNotFound,PassMan.Commands.GetPMCredentialCommand'
        }

        It 'audits every checkout with its reason' {
            $null = Get-PMCredential web01 alice -Reason 'incident 4711'

            $entry = Get-PMAuditLog -Action CredentialCheckedOut -Last 1

            $entry.UserName | Should -Be 'alice'
            $entry.Details | Should -Match 'incident 4711'
        }

        It 'returns clear text with -AsPlainText, with a warning' {
            Get-PMCredential web01 alice -AsPlainText -WarningVariable warnings -WarningAction SilentlyContinue |
                Should -Be 'Alice-Start-1'
            $warnings[0] | Should -Match 'clear text'
        }

        It 'writes SSH keys with -OutFile into a folder, mode 0600, that ssh-keygen reads' {
            Get-PMAccount web01 | New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 -ChangeOnTarget:$false
            $folder = Join-Path $TestDrive 'keys'
            $null = New-Item -ItemType Directory -Path $folder

            $files = Get-PMAccount web01 |
                Get-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 -OutFile $folder
            $key = Get-PMCredential web01 alice -CredentialType SshKey -SshKeyType ssh-ed25519

            $files.Name | Should -Be 'web01_alice_ssh-ed25519', 'web01_bob_ssh-ed25519'
            $files | ForEach-Object { (Get-Item -LiteralPath $_.FullName).UnixMode | Should -Be '-rw-------' }
            (ssh-keygen -y -f $files[0].FullName) -split ' ' | Select-Object -First 2 |
                Should -Be ($key.PublicKey -split ' ' | Select-Object -First 2)
            { Get-PMCredential web01 alice -CredentialType SshKey -SshKeyType ssh-ed25519 -OutFile $files[0].FullName `
                    -ErrorAction Stop } |
                Should -Throw -ErrorId 'OutFileExists,PassMan.Commands.GetPMCredentialCommand'
        }

        It 'writes no checkout to the audit log when the key file cannot be written' {
            Get-PMAccount web01 alice |
                New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 -ChangeOnTarget:$false
            $taken = Join-Path $TestDrive 'taken'
            Set-Content -LiteralPath $taken -Value 'occupied'

            Get-PMCredential web01 alice -CredentialType SshKey -SshKeyType ssh-ed25519 -OutFile $taken `
                -ErrorVariable failures -ErrorAction SilentlyContinue

            Get-ErrorId $failures[0] | Should -Be 'OutFileExists'
            Get-PMAuditLog -Action CredentialCheckedOut | Should -BeNullOrEmpty
        }

        It 'writes no checkout to the audit log when the key file''s folder does not exist' {
            Get-PMAccount web01 alice |
                New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 -ChangeOnTarget:$false
            $missing = Join-Path $TestDrive 'no such folder/key'

            Get-PMCredential web01 alice -CredentialType SshKey -SshKeyType ssh-ed25519 -OutFile $missing `
                -ErrorVariable failures -ErrorAction SilentlyContinue

            Get-ErrorId $failures[0] | Should -Be 'InvalidPath'
            Get-PMAuditLog -Action CredentialCheckedOut | Should -BeNullOrEmpty
        }

        It 'refuses -OutFile for a password with ParameterConflict' {
            { Get-PMCredential web01 alice -OutFile (Join-Path $TestDrive 'x') -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterConflict,PassMan.Commands.GetPMCredentialCommand'
        }
    }

    Context 'Secret hygiene' {
        It 'keeps a generated value out of every stream, the vault file, its log and the audit log' {
            $all = & {
                $VerbosePreference = 'Continue'
                $DebugPreference = 'Continue'
                Get-PMAccount web01 alice |
                    Reset-PMCredential -Generate -ChangeOnTarget:$false -Force -PassThru -Verbose -Debug
                Get-PMAuditLog
            } *>&1 | Out-String
            $value = (Get-PMCredential web01 alice).GetNetworkCredential().Password

            $all | Should -Not -Match ([regex]::Escape($value))
            foreach ($file in $vaultPath, "$vaultPath-wal") {
                if (Test-Path $file) {
                    $content = [IO.File]::ReadAllText($file, [Text.Encoding]::Latin1)
                    $content | Should -Not -Match ([regex]::Escape($value))
                }
            }
            (Invoke-VaultSql $vaultPath 'SELECT details FROM audit_log') -join "`n" |
                Should -Not -Match ([regex]::Escape($value))
        }
    }
}
