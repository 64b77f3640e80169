# Changes on real OpenSSH servers: host-key trust, passwords set by passwd and by sudo chpasswd,
# verification. Each target is an sshd of its own in a mount namespace (tests/Targets).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Targets/SshTargets.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    # web01 refuses passwords shorter than 12 characters in passwd; web02 has no such rule; web03
    # shares sudo timestamps between sessions, so that one sudo there counts for the next.
    $script:web01 = Start-SshTarget -PasswordMinLength 12
    $script:web02 = Start-SshTarget
    $script:web03 = Start-SshTarget -SudoTimestampType Global
    $script:passwords = @{
        'web01/alice' = 'Alice-web01-Start'; 'web01/bob' = 'Bob-web01-Start'
        'web01/admin' = 'Admin-web01-Start'; 'web01/ops' = 'Ops-web01-Start'
        'web02/alice' = 'Alice-web02-Start'
        'web03/alice' = 'Alice-web03-Start'; 'web03/admin' = 'Admin-web03-Start'
    }
    $sudo = @{ admin = 'Password'; ops = 'NoPassword' }
    $script:targets = @{ web01 = $web01; web02 = $web02; web03 = $web03 }
    foreach ($account in $passwords.Keys) {
        $targetName, $user = $account -split '/'
        $rule = if ($sudo.ContainsKey($user)) { $sudo[$user] } else { 'None' }
        $null = New-SshTargetUser $targets[$targetName] $user $passwords[$account] -Sudo $rule
    }

    function Reset-TargetPassword([string] $Account) {
        # Back to the start password, behind PassMan's back, so that each test starts alike.
        $targetName, $user = $Account -split '/'
        $null = Invoke-SshTarget $targets[$targetName] 'chpasswd' -InputText "${user}:$($passwords[$Account])`n"
    }

    function Get-Password([string] $Target, [string] $UserName) {
        (Get-PMCredential $Target $UserName -Reason 'test').GetNetworkCredential().Password
    }

    function New-TestVault {
        $script:vaultPath = Join-Path $TestDrive "$([guid]::NewGuid()).db"
        $null = New-PMVault -Path $vaultPath
        foreach ($name in 'web01', 'web02', 'web03') {
            $null = New-PMTarget $name $targets[$name].Address -Port $targets[$name].Port
        }
    }

    function Add-TestAccount([string] $Account, [string] $Password, [string] $ReconcileAccount) {
        $targetName, $user = $Account -split '/'
        $value = if ($Password) { $Password } else { $passwords[$Account] }
        $parameters = @{ Password = ConvertTo-TestSecureString $value }
        if ($ReconcileAccount) { $parameters.ReconcileAccount = $ReconcileAccount }
        $null = New-PMAccount $targetName $user @parameters
    }

    function Get-Dump {
        $credentials = 'SELECT id, secret, status, version, verified_utc, pending_secret FROM credentials ORDER BY id'
        Invoke-VaultSql $vaultPath $credentials
        Invoke-VaultSql $vaultPath 'SELECT id, status FROM accounts ORDER BY id'
        Invoke-VaultSql $vaultPath 'SELECT id, credential_id, version FROM credential_versions ORDER BY id'
        Invoke-VaultSql $vaultPath 'SELECT * FROM host_keys ORDER BY host_key, port, fingerprint'
    }
}

AfterAll {
    Stop-SshTarget -All
}

Describe 'Host-key trust' {
    BeforeEach {
        New-TestVault
        Add-TestAccount 'web01/alice'
    }

    It 'reports every host key the server offers, as ssh-keygen prints them, and pins nothing by itself' {
        $probe = Test-PMTarget web01

        $probe.Trust | Should -Be 'NotTrusted'
        @($probe.HostKeys | ForEach-Object { "$($_.KeyType) $($_.Fingerprint)" } | Sort-Object) |
            Should -Be @($web01.HostKeys | ForEach-Object { "$($_.Type) $($_.Fingerprint)" } | Sort-Object)
        @($probe.HostKeys.Status | Select-Object -Unique) | Should -Be 'New'
        (Get-PMTarget web01).HostKeyFingerprints | Should -BeNullOrEmpty
    }

    It 'refuses to log in to a target with no pinned key, with HostKeyNotTrusted and the fingerprint' {
        $failure = { Test-PMCredential web01 alice -ErrorAction Stop } | Should -Throw -PassThru

        Get-ErrorId $failure | Should -Be 'HostKeyNotTrusted'
        $ed25519 = ($web01.HostKeys | Where-Object Type -EQ 'ssh-ed25519').Fingerprint
        $failure.Exception.Message | Should -Match ([regex]::Escape($ed25519))
        $failure.Exception.Message | Should -Match 'Test-PMTarget'
        Get-SshTargetLog $web01 | Should -Not -Match 'password for alice'
    }

    It 'pins on request, audited, and then logs in' {
        $trusted = Test-PMTarget web01 -TrustHostKey -Confirm:$false
        $result = Test-PMCredential web01 alice

        $trusted.Trust | Should -Be 'Trusted'
        @((Get-PMTarget web01).HostKeyFingerprints).Count | Should -Be 3
        (Get-PMAuditLog -Action HostKeyTrusted).Details | Should -Match 'ssh-ed25519 SHA256:'
        $result.Status | Should -Be 'InSync'
    }

    It 'pins a fingerprint given at creation, and gives the pin its key on first use' {
        $ecdsa = ($web02.HostKeys | Where-Object Type -EQ 'ecdsa-sha2-nistp256').Fingerprint
        $null = New-PMTarget web02b $web02.Address -Port $web02.Port -HostKeyFingerprint $ecdsa
        $null = New-PMAccount web02b alice -Password (ConvertTo-TestSecureString $passwords['web02/alice'])

        (Test-PMCredential web02b alice).Status | Should -Be 'InSync'
        Invoke-VaultSql $vaultPath "SELECT key_type FROM host_keys WHERE fingerprint = '$ecdsa'" |
            Should -Be 'ecdsa-sha2-nistp256'
    }

    It 'refuses a fingerprint pinned by hand that the server does not offer, with HostKeyMismatch' {
        $other = ($web02.HostKeys | Where-Object Type -EQ 'ssh-ed25519').Fingerprint
        Set-PMTarget web01 -HostKeyFingerprint $other

        { Test-PMCredential web01 alice -ErrorAction Stop } | Should -Throw -ErrorId 'HostKeyMismatch,*'
    }

    It 'refuses a changed key always, and re-pins it only with -TrustHostKey -Force, audited' {
        $target = Start-SshTarget
        try {
            $null = New-SshTargetUser $target carol 'Carol-Start-Passw0rd'
            $null = New-PMTarget moved $target.Address -Port $target.Port
            $null = New-PMAccount moved carol -Password (ConvertTo-TestSecureString 'Carol-Start-Passw0rd')
            $null = Test-PMTarget moved -TrustHostKey -Confirm:$false
            $null = Reset-SshTargetHostKey $target
            $before = Get-Dump

            { Test-PMCredential moved carol -ErrorAction Stop } | Should -Throw -ErrorId 'HostKeyMismatch,*'
            { Reset-PMCredential moved carol -Generate -Force -ErrorAction Stop } |
                Should -Throw -ErrorId 'HostKeyMismatch,*'
            { Reset-PMCredential moved carol -Generate -Force -WhatIf -ErrorAction Stop } |
                Should -Throw -ErrorId 'HostKeyMismatch,*'
            { Test-PMTarget moved -TrustHostKey -Confirm:$false -ErrorAction Stop } |
                Should -Throw -ErrorId 'HostKeyMismatch,*'
            (Test-PMTarget moved).Trust | Should -Be 'Mismatch'
            Get-Dump | Should -Be $before
            Get-SshTargetLog $target | Should -Not -Match 'password for carol'
            Test-SshTargetLogin $target carol -Password 'Carol-Start-Passw0rd' | Should -BeTrue

            $repinned = Test-PMTarget moved -TrustHostKey -Force -Confirm:$false

            $repinned.Trust | Should -Be 'Trusted'
            (Get-PMAuditLog -Action HostKeyReplaced).Target | Should -Be 'moved'
            (Test-PMCredential moved carol).Status | Should -Be 'InSync'
        }
        finally {
            Stop-SshTarget $target
        }
    }

    It 'pins from a hashed known_hosts file, the keys ssh itself would trust for the host and port' {
        $file = Join-Path $TestDrive "known_hosts-$([guid]::NewGuid())"
        Copy-Item $web01.KnownHostsPath $file
        ssh-keygen -q -H -f $file 2>$null
        Get-Content $file -Raw | Should -Not -Match ([regex]::Escape($web01.Address))

        $imported = Import-PMKnownHost $file -Target web01 -Confirm:$false

        $imported.Trust | Should -Be 'Trusted'
        @((Get-PMTarget web01).HostKeyFingerprints | Sort-Object) |
            Should -Be @($web01.HostKeys.Fingerprint | Sort-Object)
        (Get-PMAuditLog -Action HostKeyTrusted).Details | Should -Match 'known_hosts file'
        (Test-PMCredential web01 alice).Status | Should -Be 'InSync'
    }

    It 'never pins a key the file marks @revoked, and names the targets it has no key for' {
        $file = Join-Path $TestDrive "known_hosts-$([guid]::NewGuid())"
        $ed25519 = $web01.HostKeys | Where-Object Type -EQ 'ssh-ed25519'
        @(
            "[$($web01.Address)]:$($web01.Port) $($ed25519.PublicKey)"
            "@revoked [$($web01.Address)]:$($web01.Port) $($ed25519.PublicKey)"
        ) | Set-Content $file

        $null = Import-PMKnownHost $file -Target web01 -Confirm:$false -ErrorAction SilentlyContinue `
            -ErrorVariable failed -WarningVariable warned -WarningAction SilentlyContinue

        Get-ErrorId $failed[0] | Should -Be 'KnownHostNotFound'
        "$warned" | Should -Match 'revoked'
        "$warned" | Should -Match ([regex]::Escape($ed25519.Fingerprint))
        { Import-PMKnownHost $file -Target web02 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'KnownHostNotFound,*'
        (Get-PMTarget web01).HostKeyFingerprints | Should -BeNullOrEmpty
    }

    It 'refuses a file whose key differs from the pinned one unless -Force' {
        $null = Test-PMTarget web01 -TrustHostKey -Confirm:$false
        $file = Join-Path $TestDrive "known_hosts-$([guid]::NewGuid())"
        $other = ($web02.HostKeys | Where-Object Type -EQ 'ssh-ed25519').PublicKey
        "[$($web01.Address)]:$($web01.Port) $other" | Set-Content $file

        { Import-PMKnownHost $file -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'HostKeyMismatch,*'
        $null = Import-PMKnownHost $file -Force -Confirm:$false

        $replacement = ($web02.HostKeys | Where-Object Type -EQ 'ssh-ed25519').Fingerprint
        (Get-PMTarget web01).HostKeyFingerprints | Should -Be $replacement
        { Test-PMCredential web01 alice -ErrorAction Stop } | Should -Throw -ErrorId 'HostKeyMismatch,*'
    }

    It 'refuses a fingerprint for a host and port that pins other keys already, at creation' {
        $null = Test-PMTarget web01 -TrustHostKey -Confirm:$false
        $other = ($web02.HostKeys | Where-Object Type -EQ 'ssh-ed25519').Fingerprint

        { New-PMTarget web01b $web01.Address -Port $web01.Port -HostKeyFingerprint $other -ErrorAction Stop } |
            Should -Throw -ErrorId 'HostKeyMismatch,*'
        @((Get-PMTarget web01).HostKeyFingerprints).Count | Should -Be 3
    }

    It 'keeps a bare fingerprint the server no longer offers, and calls the change a mismatch' {
        $ed25519 = ($web01.HostKeys | Where-Object Type -EQ 'ssh-ed25519').Fingerprint
        $gone = ($web02.HostKeys | Where-Object Type -EQ 'ssh-rsa').Fingerprint
        Set-PMTarget web01 -HostKeyFingerprint $ed25519, $gone

        (Test-PMTarget web01).Trust | Should -Be 'Mismatch'
        { Test-PMTarget web01 -TrustHostKey -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'HostKeyMismatch,*'
        (Get-PMTarget web01).HostKeyFingerprints | Should -Contain $gone
    }

    It 'changes nothing with -TrustHostKey -WhatIf' {
        $before = Get-Dump

        $null = Test-PMTarget web01 -TrustHostKey -WhatIf

        Get-Dump | Should -Be $before
    }
}

Describe 'Passwords on the target' {
    BeforeAll {
        $script:accounts = 'web01/alice', 'web01/bob', 'web01/admin', 'web01/ops', 'web02/alice', 'web03/alice',
            'web03/admin'
    }

    BeforeEach {
        foreach ($account in $accounts) { Reset-TargetPassword $account }
        New-TestVault
        foreach ($name in 'web01', 'web02', 'web03') { $null = Test-PMTarget $name -TrustHostKey -Confirm:$false }
        Add-TestAccount 'web01/admin'
        Add-TestAccount 'web01/ops'
        Add-TestAccount 'web01/alice' -ReconcileAccount admin
        Add-TestAccount 'web01/bob'
        Add-TestAccount 'web02/alice'
    }

    Context 'Changed by the account itself' {
        It 'changes the password with passwd, logs in with the new one, and calls it InSync' {
            $result = Reset-PMCredential web01 alice -Generate -Force -PassThru
            $new = Get-Password web01 alice

            $result.ChangedOnTarget, $result.StatusAfter, $result.Version | Should -Be $true, 'InSync', 2
            Test-SshTargetLogin $web01 alice -Password $new | Should -BeTrue
            Test-SshTargetLogin $web01 alice -Password $passwords['web01/alice'] | Should -BeFalse
            (Get-PMAccount web01 alice).Status | Should -Be 'InSync'
            (Get-PMAuditLog -Action CredentialReset -Last 1).Details | Should -Match 'passwd as the account itself'
        }

        It 'changes only its own target: the same user elsewhere keeps its password' {
            $null = Reset-PMCredential web01 alice -Generate -Force

            Test-SshTargetLogin $web02 alice -Password $passwords['web02/alice'] | Should -BeTrue
            Test-SshTargetLogin $web01 alice -Password $passwords['web01/alice'] | Should -BeFalse
        }

        It 'reports a refusal by the target''s quality rule with its reason, and changes nothing' {
            $null = New-PMPolicy short -PasswordLength 8
            Set-PMAccount web01 bob -Policy short
            $before = Get-Dump

            $failure = { Reset-PMCredential web01 bob -Generate -Force -ErrorAction Stop } |
                Should -Throw -PassThru

            Get-ErrorId $failure | Should -Be 'PasswordRefused'
            $failure.Exception.Message | Should -Match 'target refused the new password: .*(short|long)'
            Get-Dump | Should -Be $before
            Test-SshTargetLogin $web01 bob -Password $passwords['web01/bob'] | Should -BeTrue
            (Get-PMAuditLog -Action CredentialResetFailed).ErrorId | Should -Be 'PasswordRefused'
        }

        It 'refuses an account whose password does not log in and that names no reconcile account' {
            Reset-PMCredential web01 bob -NewCredential (ConvertTo-TestSecureString 'Wrong-Passw0rd-1') `
                -ChangeOnTarget:$false -Force

            { Reset-PMCredential web01 bob -Generate -Force -ErrorAction Stop } |
                Should -Throw -ErrorId 'ReconcileAccountRequired,*'
            Test-SshTargetLogin $web01 bob -Password $passwords['web01/bob'] | Should -BeTrue
            Get-Password web01 bob | Should -Be 'Wrong-Passw0rd-1'
        }
    }

    Context 'Set through a reconcile account' {
        It 'uses sudo chpasswd with -Reconcile, typing the reconcile account''s password at sudo''s prompt' {
            $result = Reset-PMCredential web01 alice -Generate -Reconcile -Force -PassThru

            $result.StatusAfter | Should -Be 'InSync'
            Test-SshTargetLogin $web01 alice -Password (Get-Password web01 alice) | Should -BeTrue
            (Get-PMAuditLog -Action CredentialReset -Last 1).Details | Should -Match 'reconcile account admin'
        }

        It 'works with a NOPASSWD sudo rule, where the password is never typed' {
            # chpasswd would take a typed sudo password for a line and fail on it.
            Set-PMAccount web01 bob -ReconcileAccount ops

            $result = Reset-PMCredential web01 bob -Generate -Reconcile -Force -PassThru

            $result.StatusAfter | Should -Be 'InSync'
            Test-SshTargetLogin $web01 bob -Password (Get-Password web01 bob) | Should -BeTrue
        }

        It 'takes over when the account''s own password no longer logs in' {
            Reset-PMCredential web01 alice -NewCredential (ConvertTo-TestSecureString 'Wrong-Passw0rd-1') `
                -ChangeOnTarget:$false -Force
            (Get-PMAccount web01 alice).Status | Should -Be 'NotInSync'

            $result = Reset-PMCredential web01 alice -Generate -Force -PassThru

            $result.StatusAfter | Should -Be 'InSync'
            Test-SshTargetLogin $web01 alice -Password (Get-Password web01 alice) | Should -BeTrue
        }

        It 'falls back to the reconcile account when the password fails at login, not only when NotInSync' {
            $null = Invoke-SshTarget $web01 'chpasswd' -InputText "alice:Changed-Behind-Our-Back-1`n"

            $result = Reset-PMCredential web01 alice -Generate -Force -PassThru

            $result.StatusBefore, $result.StatusAfter | Should -Be 'Unknown', 'InSync'
            (Get-PMAuditLog -Action CredentialReset -Last 1).Details | Should -Match 'reconcile account admin'
        }

        It 'uses a cached sudo timestamp and needs no password then' {
            # The vault knows admin only by a key: sudo can let it through only on a cached timestamp.
            $null = New-PMAccount web03 admin
            $key = Join-Path $TestDrive "admin-$([guid]::NewGuid())"
            ssh-keygen -q -t ed25519 -N '' -C admin -f $key
            Add-SshTargetAuthorizedKey $web03 admin (Get-Content "$key.pub")
            Get-PMAccount web03 admin |
                New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 -PrivateKeyPath $key `
                    -ChangeOnTarget:$false
            Add-TestAccount 'web03/alice' -ReconcileAccount admin

            $failure = { Reset-PMCredential web03 alice -Generate -Reconcile -Force -ErrorAction Stop } |
                Should -Throw -PassThru
            Get-ErrorId $failure | Should -Be 'SudoRefused'
            $failure.Exception.Message | Should -Match 'holds none'
            Test-SshTargetLogin $web03 alice -Password $passwords['web03/alice'] | Should -BeTrue

            $primed = Invoke-SshTargetAsUser $web03 admin -Password $passwords['web03/admin'] `
                -Command "sudo -S -p '' -v" -InputText "$($passwords['web03/admin'])`n"
            $primed.ExitCode | Should -Be 0

            $result = Reset-PMCredential web03 alice -Generate -Reconcile -Force -PassThru
            $result.StatusAfter | Should -Be 'InSync'
            Test-SshTargetLogin $web03 alice -Password (Get-Password web03 alice) | Should -BeTrue
        }

        It 'reports a reconcile account that sudo refuses with SudoRefused, and changes nothing' {
            Set-PMAccount web01 bob -ReconcileAccount alice
            Add-TestAccount 'web01/carl' -Password 'unused'
            $before = Get-Dump

            { Reset-PMCredential web01 bob -Generate -Reconcile -Force -ErrorAction Stop } |
                Should -Throw -ErrorId 'SudoRefused,*'
            Get-Dump | Should -Be $before
            Test-SshTargetLogin $web01 bob -Password $passwords['web01/bob'] | Should -BeTrue
        }
    }

    Context 'Outcomes that are not known' {
        It 'keeps the new password when passwd fails after taking it, and confirms it by logging in' {
            $target = Start-SshTarget
            try {
                $null = New-SshTargetUser $target erin 'Erin-Start-Passw0rd'
                # A last module that fails once pam_unix has written the new password (the shadow file
                # changed within two seconds): the target has it, and passwd reports an error.
                $script = "#!/bin/sh`n[ `$(( `$(date +%s) - `$(stat -c %Y /etc/shadow) )) -gt 2 ]`n"
                $null = Invoke-SshTarget $target ('f=/etc/passman-fail-after-change; cat > $f && chmod 755 $f && ' +
                    'echo "password required pam_exec.so quiet $f" >> /etc/pam.d/common-password') -InputText $script
                Start-Sleep -Seconds 3
                $null = New-PMTarget flaky $target.Address -Port $target.Port
                $null = Test-PMTarget flaky -TrustHostKey -Confirm:$false
                $null = New-PMAccount flaky erin -Password (ConvertTo-TestSecureString 'Erin-Start-Passw0rd')

                $result = Reset-PMCredential flaky erin -Generate -Force -PassThru

                $result.StatusAfter | Should -Be 'InSync'
                Test-SshTargetLogin $target erin -Password (Get-Password flaky erin) | Should -BeTrue
                (Get-PMAuditLog -Action CredentialReset -Last 1).Details | Should -Match 'outcome unknown'
            }
            finally {
                Stop-SshTarget $target
            }
        }

        It 'keeps both values when neither logs in after a change, and Test-PMCredential keeps them too' {
            $target = Start-SshTarget -SshdOption 'DenyUsers carol'
            try {
                $null = New-SshTargetUser $target carol 'Carol-Start-Passw0rd'
                $null = New-SshTargetUser $target admin 'Admin-Denied-Passw0rd' -Sudo Password
                $null = New-PMTarget denied $target.Address -Port $target.Port
                $null = Test-PMTarget denied -TrustHostKey -Confirm:$false
                $null = New-PMAccount denied admin -Password (ConvertTo-TestSecureString 'Admin-Denied-Passw0rd')
                $null = New-PMAccount denied carol -Password (ConvertTo-TestSecureString 'Carol-Start-Passw0rd') `
                    -ReconcileAccount admin

                { Reset-PMCredential denied carol -Generate -Reconcile -Force -ErrorAction Stop } |
                    Should -Throw -ErrorId 'ChangeUnconfirmed,*'
                $pending = 'SELECT count(*) FROM credentials WHERE pending_secret IS NOT NULL'
                Invoke-VaultSql $vaultPath $pending | Should -Be 1

                (Get-PMAccount denied carol).PendingChange | Should -BeTrue
                @(Get-PMAccount -PendingChange).UserName | Should -Be 'carol'
                $null = Get-PMCredential denied carol -Reason 'test' -WarningVariable warned `
                    -WarningAction SilentlyContinue
                "$warned" | Should -Match 'cut off'

                $check = Test-PMCredential denied carol

                $check.Status | Should -Be 'NotInSync'
                $check.Credentials[0].Detail | Should -Match 'both stay in the vault'
                Invoke-VaultSql $vaultPath $pending | Should -Be 1
                { Reset-PMCredential denied carol -Generate -Force -ErrorAction Stop } |
                    Should -Throw -ErrorId 'PendingChange,*'
            }
            finally {
                Stop-SshTarget $target
            }
        }
    }

    Context 'Bulk' {
        It 'changes the accounts of a pipeline concurrently, one result for each, every new password working' {
            Set-PMTarget web01 -MaxConnections 2

            $results = @(Get-PMAccount -UserName alice, bob |
                    Reset-PMCredential -Generate -Force -PassThru -ThrottleLimit 4)

            $results.Count | Should -Be 3
            @($results | Where-Object StatusAfter -EQ 'InSync').Count | Should -Be 3
            foreach ($result in $results) {
                $target = $targets[$result.Target]
                Test-SshTargetLogin $target $result.UserName -Password (Get-Password $result.Target $result.UserName) |
                    Should -BeTrue
            }
            (Get-PMTarget web01).MaxConnections | Should -Be 2
        }

        It 'resets 100 accounts on a server that drops connections early (MaxStartups 3:50:10) with no failure' {
            $busy = Start-SshTarget -SshdOption 'MaxStartups 3:50:10'
            try {
                $users = 1..100 | ForEach-Object { "bulk$_" }
                $lines = $users | ForEach-Object { "${_}:Bulk-Start-$_-Passw0rd" }
                $null = Invoke-SshTarget $busy ("for u in $($users -join ' '); do useradd -m -s /bin/bash `$u; done " +
                    '&& chpasswd') -InputText (($lines -join "`n") + "`n")
                $null = New-PMTarget busy $busy.Address -Port $busy.Port
                $null = Test-PMTarget busy -TrustHostKey -Confirm:$false
                foreach ($user in $users) {
                    $start = ConvertTo-TestSecureString "Bulk-Start-$user-Passw0rd"
                    $null = New-PMAccount busy $user -Password $start
                }

                $results = @(Get-PMAccount -Target busy |
                        Reset-PMCredential -Generate -Force -PassThru -ErrorVariable failed)

                @($failed).Count | Should -Be 0
                $results.Count | Should -Be 100
                @($results | Where-Object StatusAfter -EQ 'InSync').Count | Should -Be 100
                Test-SshTargetLogin $busy bulk57 -Password (Get-Password busy bulk57) | Should -BeTrue
            }
            finally {
                Stop-SshTarget $busy
            }
        }

        It 'refuses a connection limit outside 1 to 64' {
            { Set-PMTarget web01 -MaxConnections 65 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,*'
            (Get-PMTarget web01).MaxConnections | Should -Be 3
        }
    }

    Context 'Two processes' {
        It 'lets one of two processes resetting the same account at once go ahead, and never two values' {
            $file = Join-Path $TestDrive "reset-$([guid]::NewGuid()).ps1"
            @"
Import-Module '$(Get-TestModulePath)'
`$env:PASSMAN_VAULT = '$vaultPath'
Reset-PMCredential web01 bob -Generate -Force -ErrorAction Stop
'done'
"@ | Set-Content $file
            $pwsh = [Environment]::ProcessPath
            $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') {
                    Join-Path $PSHOME 'pwsh.dll'
                })
            $runs = foreach ($name in 'one', 'two') {
                Start-Process -FilePath $pwsh -PassThru -RedirectStandardOutput "$TestDrive/$name.txt" `
                    -RedirectStandardError "$TestDrive/$name.err" `
                    -ArgumentList ($prefix + @('-NoProfile', '-File', $file))
            }
            $runs | ForEach-Object { $_.WaitForExit() }

            $outputs = (Get-ChildItem $TestDrive -Filter '*.txt' | Get-Content -Raw) +
                (Get-ChildItem $TestDrive -Filter '*.err' | Get-Content -Raw) -join "`n"
            ([regex]::Matches($outputs, 'done')).Count | Should -BeGreaterOrEqual 1
            if (([regex]::Matches($outputs, 'done')).Count -lt 2) { $outputs | Should -Match 'pending change' }
            Test-SshTargetLogin $web01 bob -Password (Get-Password web01 bob) | Should -BeTrue
            (Test-PMCredential web01 bob).Status | Should -Be 'InSync'
        }
    }

    Context 'Refused parameters' {
        It 'stops at a refused combination of parameters, before anything changes' {
            $before = Get-Dump

            { Reset-PMCredential web01 alice -Generate -Verify -Force } |
                Should -Throw -ErrorId 'ParameterConflict,*'
            { Test-PMTarget web01 -Force } | Should -Throw -ErrorId 'ParameterConflict,*'

            Get-Dump | Should -Be $before
            Test-SshTargetLogin $web01 alice -Password $passwords['web01/alice'] | Should -BeTrue
        }
    }

    Context 'Secrets' {
        It 'sends no secret on a command line: every /proc/*/cmdline seen during the changes is clean' {
            $sampler = Start-ProcessSampler
            try {
                $null = Reset-PMCredential web01 bob -Generate -Force
                $null = Reset-PMCredential web01 alice -Generate -Reconcile -Force
                $null = Invoke-SshTarget $web01 'sleep 0.2; true passman-sampler-marker'
            }
            finally {
                $seen = @(Stop-ProcessSampler $sampler)
            }

            $secrets = @((Get-Password web01 bob), (Get-Password web01 alice), $passwords['web01/admin'],
                $passwords['web01/bob'], $passwords['web01/alice'])
            $seen -match 'passman-sampler-marker' | Should -Not -BeNullOrEmpty -Because 'the sampler must see commands'
            $seen -match 'passwd|chpasswd' | Should -Not -BeNullOrEmpty -Because 'it saw the changes run'
            foreach ($secret in $secrets) {
                $seen -match [regex]::Escape($secret) | Should -BeNullOrEmpty
            }
        }

        It 'keeps secrets out of the audit log, the verbose stream and error records' {
            $null = New-PMPolicy short -PasswordLength 8
            Set-PMAccount web01 bob -Policy short
            $verbose = Reset-PMCredential web01 alice -Generate -Force -Verbose 4>&1
            $failure = { Reset-PMCredential web01 bob -Generate -Force -ErrorAction Stop } | Should -Throw -PassThru

            $text = ($verbose | Out-String) + ($failure | Out-String) + (Get-PMAuditLog | Format-List * | Out-String)
            $text | Should -Not -Match ([regex]::Escape((Get-Password web01 alice)))
            $text | Should -Not -Match ([regex]::Escape($passwords['web01/alice']))
        }
    }

    Context '-WhatIf' {
        It 'checks the host key and the login for real, says how it would change, and changes nothing' {
            $before = Get-Dump
            $module = Get-TestModulePath
            $script = "Import-Module '$module'; `$env:PASSMAN_VAULT = '$vaultPath'; " +
                'Reset-PMCredential web01 alice -Generate -WhatIf; ' +
                'Reset-PMCredential web01 alice -Generate -Reconcile -WhatIf'

            $run = Invoke-Pwsh -Command $script

            $run.Output | Should -Match 'What if: .*passwd, as the account itself'
            $run.Output | Should -Match 'What if: .*sudo chpasswd, through the reconcile account admin'
            Get-Dump | Should -Be $before
            Test-SshTargetLogin $web01 alice -Password $passwords['web01/alice'] | Should -BeTrue
        }

        It 'reports what would fail: a password that does not log in and no reconcile account' {
            Reset-PMCredential web01 bob -NewCredential (ConvertTo-TestSecureString 'Wrong-Passw0rd-1') `
                -ChangeOnTarget:$false -Force
            $before = Get-Dump

            { Reset-PMCredential web01 bob -Generate -WhatIf -ErrorAction Stop } |
                Should -Throw -ErrorId 'ReconcileAccountRequired,*'
            Get-Dump | Should -Be $before
        }
    }

    Context 'Verify and status' {
        It 'is InSync after a change, NotInSync after a vault-only change, and InSync again after -Verify' {
            (Reset-PMCredential web01 alice -Generate -Force -PassThru).StatusAfter | Should -Be 'InSync'

            $vaultOnly = Reset-PMCredential web01 alice -Generate -ChangeOnTarget:$false -Force -PassThru
            $vaultOnly.StatusAfter | Should -Be 'NotInSync'
            (Test-PMCredential web01 alice).Status | Should -Be 'NotInSync'

            # The manual's case: someone set the password on the host, and tells the admin what it is.
            $working = 'Set-On-The-Host-1'
            $null = Invoke-SshTarget $web01 'chpasswd' -InputText "alice:$working`n"

            $verified = Reset-PMCredential web01 alice -NewCredential (ConvertTo-TestSecureString $working) `
                -ChangeOnTarget:$false -Verify -Force -PassThru
            $verified.StatusAfter | Should -Be 'InSync'
            (Get-PMAccount web01 alice).Status | Should -Be 'InSync'
        }

        It 'warns when -Verify finds that the stored value does not log in' {
            $warnings = Reset-PMCredential web01 alice -NewCredential (ConvertTo-TestSecureString 'Not-It-Passw0rd') `
                -ChangeOnTarget:$false -Verify -Force -PassThru 3>&1
            @($warnings | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }).Count |
                Should -BeGreaterThan 0
            (Get-PMAccount web01 alice).Status | Should -Be 'NotInSync'
        }

        It 'tests accounts from the pipeline, one result each, the last verification time set' {
            Reset-PMCredential web01 bob -NewCredential (ConvertTo-TestSecureString 'Wrong-Passw0rd-1') `
                -ChangeOnTarget:$false -Force

            $results = Get-PMAccount | Test-PMCredential

            @($results).Count | Should -Be 5
            ($results | Where-Object UserName -EQ bob).Status | Should -Be 'NotInSync'
            @($results | Where-Object Status -EQ 'InSync').Count | Should -Be 4
            ($results | Where-Object UserName -EQ ops).Credentials[0].LastVerified | Should -Not -BeNullOrEmpty
            (Get-PMAuditLog -Action CredentialVerified | Measure-Object).Count | Should -Be 5
        }

        It 'tries a wrong password once: one failure against the target''s lockout count' {
            Reset-PMCredential web01 bob -NewCredential (ConvertTo-TestSecureString 'Wrong-Passw0rd-1') `
                -ChangeOnTarget:$false -Force
            $before = ([regex]::Matches((Get-SshTargetLog $web01), 'Failed password for bob')).Count

            $null = Test-PMCredential web01 bob

            ([regex]::Matches((Get-SshTargetLog $web01), 'Failed password for bob')).Count | Should -Be ($before + 1)
        }

        It 'gives an unreachable target an error for its accounts and goes on with the others' {
            $null = New-PMTarget gone 127.0.0.1 -Port 9
            $null = New-PMAccount gone alice -Password (ConvertTo-TestSecureString 'x-Passw0rd-1')

            $results = Get-PMAccount -UserName alice |
                Test-PMCredential -ErrorVariable failures -ErrorAction SilentlyContinue

            @($results).Count | Should -Be 2
            @($failures).Count | Should -Be 1
            Get-ErrorId $failures[0] | Should -Be 'TargetUnreachable'
            (Get-PMAccount gone alice).Status | Should -Be 'Unknown'
        }
    }
}
