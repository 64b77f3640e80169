# The SSH test targets themselves (tests/Targets): real sshd servers, each in a mount namespace of
# its own, driven with the real OpenSSH client.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../Targets/SshTargets.psm1') -Force
    $script:tool = Join-Path $PSScriptRoot '../Targets/sshd-target'

    $script:one = Start-SshTarget -PasswordMinLength 12
    $script:two = Start-SshTarget -SshdOption 'MaxStartups 3:50:10', 'PubkeyAcceptedAlgorithms +ssh-dss' `
        -SudoTimestampType Global
    $script:onePassword = 'One-deploy-pass-1'
    $script:twoPassword = 'Two-deploy-pass-2'
    $null = New-SshTargetUser $one pmdeploy $onePassword -Sudo Password
    $null = New-SshTargetUser $two pmdeploy $twoPassword -Sudo NoPassword

    function Get-Fingerprint([string] $PublicKeyText) {
        # As ssh-keygen -lf prints it: bits, fingerprint, comment, type.
        @($PublicKeyText | ssh-keygen -lf - | ForEach-Object { ($_ -split ' ')[1] })
    }

    function Get-PresentedFingerprint($Target, [string] $Type) {
        $keys = ssh-keyscan -p $Target.Port -t $Type $Target.Address 2>$null
        Get-Fingerprint ($keys -join "`n")
    }

    function Get-NamespaceMember([string] $Namespace) {
        # The live processes whose mount namespace is this one (as /proc/PID/ns/mnt names it).
        foreach ($entry in Get-ChildItem /proc -Directory | Where-Object Name -Match '^\d+$') {
            $link = Get-Item -LiteralPath "$($entry.FullName)/ns/mnt" -ErrorAction SilentlyContinue
            if ($link -and $link.LinkTarget -eq $Namespace -and (Test-ProcessRunning $entry.Name)) { $entry.Name }
        }
    }

    function Test-ProcessRunning([int] $Id) {
        # A killed sshd can stay a zombie for a moment, until init reaps it.
        $stat = Get-Content -LiteralPath "/proc/$Id/stat" -Raw -ErrorAction SilentlyContinue
        $null -ne $stat -and ($stat -split '\) ', 2)[1][0] -ne 'Z'
    }
}

AfterAll {
    Stop-SshTarget -All
}

Describe 'Start-SshTarget' {
    It 'starts each target on a loopback address of its own, port 2022, in a mount namespace of its own' {
        $one.Address, $two.Address | Should -Match '^127\.0\.0\.\d+$'
        $one.Address | Should -Not -Be $two.Address
        $one.Port, $two.Port | Should -Be 2022, 2022
        $one.Name | Should -Be ('sshtarget-' + $one.Address.Split('.')[-1])
        $one.Root | Should -Be "/tmp/passman-test-targets/$($one.Address)"
        Get-Content -LiteralPath "$($one.Root)/owner.pid" -TotalCount 1 | Should -Be "$PID"

        $namespace = (Get-Item "/proc/$($one.ProcessId)/ns/mnt").LinkTarget
        $namespace | Should -Not -Be (Get-Item "/proc/$PID/ns/mnt").LinkTarget
        (Get-Item "/proc/$($two.ProcessId)/ns/mnt").LinkTarget | Should -Not -Be $namespace
        (Get-Item "/proc/$($one.ProcessId)/exe").LinkTarget | Should -Be '/usr/sbin/sshd'
    }

    It 'describes host keys of three types, with fingerprints as ssh-keygen -lf prints them' {
        $one.HostKeys.Type | Should -Be 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ssh-ed25519'
        foreach ($key in $one.HostKeys) {
            $key.PublicKey | Should -Match "^$([regex]::Escape($key.Type)) [A-Za-z0-9+/]+=*$"
            $key.Fingerprint | Should -Match '^SHA256:[A-Za-z0-9+/]{43}$'
            Get-Fingerprint $key.PublicKey | Should -Be $key.Fingerprint
        }
        $ed25519 = $one.HostKeys | Where-Object Type -EQ 'ssh-ed25519'
        Get-PresentedFingerprint $one ed25519 | Should -Be $ed25519.Fingerprint
        Compare-Object $one.HostKeys.Fingerprint $two.HostKeys.Fingerprint -IncludeEqual -ExcludeDifferent |
            Should -BeNullOrEmpty
    }

    It 'runs sshd with the test defaults and the caller''s options' {
        $settings = Invoke-SshTarget $two "sshd -T -f '$($two.Root)/sshd_config'"

        $settings | Should -Match '(?m)^maxstartups 3:50:10$'
        $settings | Should -Match '(?m)^pubkeyacceptedalgorithms .*,ssh-dss$'
        foreach ($line in 'usepam yes', 'passwordauthentication yes', 'kbdinteractiveauthentication no',
            'permitrootlogin no', 'strictmodes yes', 'loglevel VERBOSE') {
            $settings | Should -Match "(?m)^$line$"
        }
    }

    It 'removes a stale target whose owner was killed, at the next start' {
        $owner = Start-Process -FilePath sleep -ArgumentList 60 -PassThru
        $started = bash $tool start --owner $owner.Id
        $stale = ($started | Where-Object { $_ -like "root`t*" }) -replace '^root\t'
        $stalePid = [int](($started | Where-Object { $_ -like "pid`t*" }) -replace '^pid\t')
        $namespace = Get-Content -LiteralPath "$stale/mntns"
        Test-ProcessRunning $stalePid | Should -BeTrue
        $owner.Kill()
        $owner.WaitForExit()

        $next = Start-SshTarget

        Test-ProcessRunning $stalePid | Should -BeFalse
        # The kernel may give the freed namespace id to the new target's namespace at once.
        $own = $next.ProcessId, [int](Get-Content -LiteralPath "$($next.Root)/holder.pid")
        @(Get-NamespaceMember $namespace | Where-Object { [int] $_ -notin $own }).Count | Should -Be 0
        # The address is free again, so the new target may have taken it: then the folder is its own.
        $left = if (Test-Path -LiteralPath $stale) { Get-Content -LiteralPath "$stale/owner.pid" -TotalCount 1 }
        $left | Should -BeIn $null, "$PID"
        Test-Path -LiteralPath $one.Root | Should -BeTrue
        Stop-SshTarget $next
        Test-Path -LiteralPath $next.Root | Should -BeFalse
        Test-ProcessRunning $next.ProcessId | Should -BeFalse
    }
}

Describe 'New-SshTargetUser and Test-SshTargetLogin' {
    It 'lets the same user name hold a different password on each target' {
        Test-SshTargetLogin $one pmdeploy -Password $onePassword | Should -BeTrue
        Test-SshTargetLogin $one pmdeploy -Password $twoPassword | Should -BeFalse
        Test-SshTargetLogin $two pmdeploy -Password $twoPassword | Should -BeTrue
        Test-SshTargetLogin $two pmdeploy -Password $onePassword | Should -BeFalse
    }

    It 'makes users, homes and sudo rules that exist only inside the target' {
        Invoke-SshTarget $one 'getent passwd pmdeploy' | Should -Match '^pmdeploy:x:\d+:\d+::/home/pmdeploy:/bin/bash$'
        Invoke-SshTarget $one 'cat /etc/sudoers.d/passman-pmdeploy' | Should -Be 'pmdeploy ALL=(ALL:ALL) ALL'

        Get-Content /etc/passwd | Where-Object { $_ -like 'pmdeploy:*' } | Should -BeNullOrEmpty
        Test-Path /home/pmdeploy, /etc/sudoers.d/passman-pmdeploy | Should -Be $false, $false
    }

    It 'logs in with a key from authorized_keys, in batch mode' {
        $key = Join-Path $TestDrive 'id_ed25519'
        ssh-keygen -q -t ed25519 -N '' -C '' -f $key
        Add-SshTargetAuthorizedKey $one pmdeploy (Get-Content "$key.pub" -Raw)

        Test-SshTargetLogin $one pmdeploy -KeyPath $key | Should -BeTrue
        Test-SshTargetLogin $two pmdeploy -KeyPath $key | Should -BeFalse
    }

    It 'counts each refused password in the sshd log' {
        $pattern = 'Failed password for pmdeploy from'
        $before = [regex]::Matches((Get-SshTargetLog $two), $pattern).Count

        Test-SshTargetLogin $two pmdeploy -Password 'wrong-1' | Should -BeFalse
        Test-SshTargetLogin $two pmdeploy -Password 'wrong-2' | Should -BeFalse

        [regex]::Matches((Get-SshTargetLog $two), $pattern).Count | Should -Be ($before + 2)
    }
}

Describe 'passwd inside a target' {
    BeforeAll {
        $script:oldPassword = 'Self-service-old-1'
        $null = New-SshTargetUser $one pmself $oldPassword
        $null = New-SshTargetUser $two pmself $oldPassword
    }

    It 'changes the password of that target only, over an ssh exec channel without a terminal' {
        $new = 'Self-service-new-22'
        $sampler = Start-ProcessSampler

        $result = Invoke-SshTargetAsUser $two pmself -Password $oldPassword -Command passwd `
            -InputText "$oldPassword`n$new`n$new`n"
        $lines = @(Stop-ProcessSampler $sampler)

        $result.ExitCode | Should -Be 0
        $result.Output | Should -Be "Changing password for pmself.`n"
        $prompts = 'Current password: New password: Retype new password: '
        $result.Error | Should -Be "${prompts}passwd: password updated successfully`n"
        Test-SshTargetLogin $two pmself -Password $new | Should -BeTrue
        Test-SshTargetLogin $two pmself -Password $oldPassword | Should -BeFalse
        Test-SshTargetLogin $one pmself -Password $oldPassword | Should -BeTrue
        @($lines | Where-Object { $_ -like '* passwd' }).Count | Should -BeGreaterThan 0
        @($lines | Where-Object { $_.Contains($oldPassword) -or $_.Contains($new) }).Count | Should -Be 0
    }

    It 'refuses a password shorter than -PasswordMinLength, in pam_unix''s words' {
        $result = Invoke-SshTargetAsUser $one pmself -Password $oldPassword -Command passwd `
            -InputText "$oldPassword`nShort-pw-1`nShort-pw-1`n"

        $result.ExitCode | Should -Be 10
        $result.Error | Should -Match 'You must choose a longer password\.'
        $result.Error | Should -Match 'passwd: password unchanged'
        Test-SshTargetLogin $one pmself -Password $oldPassword | Should -BeTrue
    }
}

Describe 'sudo inside a target' {
    It 'runs sudo -n for a NOPASSWD user' {
        $result = Invoke-SshTargetAsUser $two pmdeploy -Password $twoPassword -Command 'sudo -n id -u'

        $result.ExitCode, $result.Output | Should -Be 0, "0`n"
    }

    It 'refuses sudo -n for a user whose sudo asks for the password, and takes it with -S' {
        $refused = Invoke-SshTargetAsUser $one pmdeploy -Password $onePassword -Command 'sudo -n true'
        $taken = Invoke-SshTargetAsUser $one pmdeploy -Password $onePassword -Command 'sudo -S -p MARKER id -u' `
            -InputText "$onePassword`n"

        $refused.ExitCode, $refused.Error | Should -Be 1, "sudo: a password is required`n"
        $taken.ExitCode, $taken.Output, $taken.Error | Should -Be 0, "0`n", 'MARKER'
    }

    It 'keeps a timestamp for the next session only with -SudoTimestampType Global' {
        foreach ($target in $one, $two) {
            $null = New-SshTargetUser $target pmcached 'Cached-sudo-pass-1' -Sudo Password
            $validated = Invoke-SshTargetAsUser $target pmcached -Password 'Cached-sudo-pass-1' `
                -Command 'sudo -S -p MARKER -v' -InputText "Cached-sudo-pass-1`n"
            $validated.ExitCode | Should -Be 0
        }

        $cached = Invoke-SshTargetAsUser $two pmcached -Password 'Cached-sudo-pass-1' -Command 'sudo -n id -u'
        $uncached = Invoke-SshTargetAsUser $one pmcached -Password 'Cached-sudo-pass-1' -Command 'sudo -n id -u'

        $cached.ExitCode, $cached.Output | Should -Be 0, "0`n"
        $uncached.ExitCode, $uncached.Error | Should -Be 1, "sudo: a password is required`n"
        Test-Path /run/sudo/ts/pmcached | Should -BeFalse
    }
}

Describe 'Reset-SshTargetHostKey' {
    It 'gives the target new host keys, which the same sshd then presents' {
        $oldKeys = $two.HostKeys
        $oldKnownHosts = Join-Path $TestDrive 'old_known_hosts'
        Copy-Item -LiteralPath $two.KnownHostsPath -Destination $oldKnownHosts
        $processId = $two.ProcessId

        $newKeys = Reset-SshTargetHostKey $two

        $newKeys.Type | Should -Be 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ssh-ed25519'
        $two.HostKeys.Fingerprint | Should -Be $newKeys.Fingerprint
        Compare-Object $oldKeys.Fingerprint $newKeys.Fingerprint -IncludeEqual -ExcludeDifferent | Should -BeNullOrEmpty
        Get-PresentedFingerprint $two ed25519 | Should -Be $newKeys[2].Fingerprint
        Test-ProcessRunning $processId | Should -BeTrue
        Test-SshTargetLogin $two pmdeploy -Password $twoPassword | Should -BeTrue
        { Test-SshTargetLogin $two pmdeploy -Password $twoPassword -KnownHostsPath $oldKnownHosts } |
            Should -Throw '*REMOTE HOST IDENTIFICATION HAS CHANGED*'
    }
}

Describe 'Stop-SshTargetDaemon and Start-SshTargetDaemon' {
    It 'kills every sshd of the target, sessions too, and starts it again with its users and host keys' {
        $target = Start-SshTarget
        try {
            $null = New-SshTargetUser $target pmcrash 'Crash-pass-1234'
            $listener = $target.ProcessId
            $session = Start-Job -ScriptBlock {
                param($Module, $Target)
                Import-Module $Module
                Invoke-SshTargetAsUser $Target pmcrash -Password 'Crash-pass-1234' -Command 'echo in; sleep 60'
            } -ArgumentList (Join-Path $PSScriptRoot '../Targets/SshTargets.psm1'), $target
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while ((Get-SshTargetLog $target) -notmatch 'Accepted password for pmcrash' -and
                [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }

            Stop-SshTargetDaemon $target

            Test-ProcessRunning $listener | Should -BeFalse
            $ended = $session | Wait-Job -Timeout 20
            $ended | Should -Not -BeNullOrEmpty -Because 'the session dies with its sshd'
            { Test-SshTargetLogin $target pmcrash -Password 'Crash-pass-1234' } | Should -Throw '*refused*'

            Start-SshTargetDaemon $target

            $target.ProcessId | Should -Not -Be $listener
            Test-ProcessRunning $target.ProcessId | Should -BeTrue
            Get-PresentedFingerprint $target ed25519 | Should -Be $target.HostKeys[2].Fingerprint
            Test-SshTargetLogin $target pmcrash -Password 'Crash-pass-1234' | Should -BeTrue
        }
        finally {
            $session | Remove-Job -Force -ErrorAction SilentlyContinue
            Stop-SshTarget $target
        }
    }
}

Describe 'Start-ProcessSampler' {
    It 'sees a command line run inside a target' {
        $marker = 'passman-sampler-' + [guid]::NewGuid().ToString('N')
        $sampler = Start-ProcessSampler

        Invoke-SshTarget $one "(exec -a $marker sleep 0.1)"
        $lines = @(Stop-ProcessSampler $sampler)

        $sampler.State.Sweeps | Should -BeGreaterThan 5
        $lines | Should -Contain "$marker 0.1"
    }
}
