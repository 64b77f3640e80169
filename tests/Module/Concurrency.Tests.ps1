# Several pwsh processes resetting the accounts of one vault at once, in the vault only and on real
# OpenSSH servers: no update lost, nothing reported that the vault does not hold, and no SQLite
# busy error ever reaching the user.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Targets/SshTargets.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    # The children report a keyed hash of each new value, never the value: the key lives in their
    # environment only, so the result files in TestDrive hold nothing a reader could use.
    $script:hashKey = [Security.Cryptography.RandomNumberGenerator]::GetBytes(32)

    function Get-ValueHash([string] $Value) {
        [Convert]::ToHexString([Security.Cryptography.HMACSHA256]::HashData(
                $hashKey, [Text.Encoding]::UTF8.GetBytes($Value)))
    }

    # One child: waits for the start file, so that all of them begin together, resets the accounts
    # its set names, checks out each version it reported, and writes what it saw as JSON.
    $script:childScript = Join-Path $TestDrive 'reset-child.ps1'
    @'
param([string] $SetPath, [string] $ResultPath, [string] $StartPath, [switch] $OnTarget)
Import-Module $env:PASSMAN_TEST_MODULE
$key = [Convert]::FromBase64String($env:PASSMAN_TEST_HASH_KEY)
$wanted = [Collections.Generic.HashSet[string]]::new([string[]](Get-Content $SetPath))
$null = New-Item -ItemType File "$ResultPath.ready"
while (-not (Test-Path $StartPath)) { Start-Sleep -Milliseconds 10 }

$started = [DateTime]::UtcNow
$results = @(Get-PMAccount | Where-Object { $wanted.Contains("$($_.Target)/$($_.UserName)") } |
        Reset-PMCredential -ChangeOnTarget:$OnTarget -Generate -Force -PassThru)
$ended = [DateTime]::UtcNow

$reported = foreach ($result in $results) {
    $credential = Get-PMCredential $result.Target $result.UserName -Version $result.Version -Reason 'test'
    $value = [Text.Encoding]::UTF8.GetBytes($credential.GetNetworkCredential().Password)
    [pscustomobject]@{
        Account = "$($result.Target)/$($result.UserName)"
        Version = $result.Version
        Status  = $result.StatusAfter
        Hash    = [Convert]::ToHexString([Security.Cryptography.HMACSHA256]::HashData($key, $value))
    }
}
$errors = foreach ($record in $Error) {
    [pscustomobject]@{
        Id      = "$($record.FullyQualifiedErrorId)"
        Target  = "$($record.TargetObject)"
        Message = "$($record.Exception.Message)"
    }
}
$cpu = (Get-Process -Id $PID).TotalProcessorTime.TotalSeconds
[pscustomobject]@{
    Started = $started.Ticks; Ended = $ended.Ticks; CpuSeconds = $cpu; Reported = @($reported); Errors = @($errors)
} |
    ConvertTo-Json -Depth 4 | Set-Content $ResultPath
'@ | Set-Content $childScript

    function Invoke-ResetChildren {
        # Starts one child per set, lets them go at once, and returns their results with exit codes.
        param([string[][]] $Sets, [switch] $OnTarget)

        $run = Join-Path $TestDrive "run-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory $run
        $start = Join-Path $run 'start'
        $pwsh = [Environment]::ProcessPath
        $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        $env:PASSMAN_VAULT = $vaultPath
        $env:PASSMAN_TEST_HASH_KEY = [Convert]::ToBase64String($hashKey)
        try {
            $children = for ($i = 0; $i -lt $Sets.Count; $i++) {
                $set = Join-Path $run "set-$i.txt"
                $Sets[$i] | Set-Content $set
                $arguments = $prefix + @('-NoProfile', '-NonInteractive', '-File', $childScript,
                    '-SetPath', $set, '-ResultPath', (Join-Path $run "result-$i.json"), '-StartPath', $start)
                if ($OnTarget) { $arguments += '-OnTarget' }
                $process = Start-Process -FilePath $pwsh -PassThru -ArgumentList $arguments `
                    -RedirectStandardOutput (Join-Path $run "out-$i.txt") `
                    -RedirectStandardError (Join-Path $run "err-$i.txt")
                [pscustomobject]@{ Index = $i; Process = $process }
            }

            # The barrier: each child says it is ready once it has loaded the module, then waits.
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (@(Get-ChildItem $run -Filter '*.ready').Count -lt $Sets.Count) {
                if ([DateTime]::UtcNow -gt $deadline) { throw 'the children did not get ready within 60 s' }
                Start-Sleep -Milliseconds 20
            }
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $null = New-Item -ItemType File $start
            foreach ($child in $children) {
                if (-not $child.Process.WaitForExit(600000)) {
                    $child.Process.Kill($true)
                    throw "child $($child.Index) did not end within 10 minutes"
                }
            }
            Write-Host ("    {0} children done in {1:n1} s" -f $children.Count, $clock.Elapsed.TotalSeconds)
        }
        finally {
            Remove-Item Env:PASSMAN_TEST_HASH_KEY, Env:PASSMAN_VAULT -ErrorAction Ignore
        }

        foreach ($child in $children) {
            $resultPath = Join-Path $run "result-$($child.Index).json"
            [pscustomobject]@{
                Index    = $child.Index
                ExitCode = $child.Process.ExitCode
                Output   = (Get-Content (Join-Path $run "out-$($child.Index).txt") -Raw) +
                    (Get-Content (Join-Path $run "err-$($child.Index).txt") -Raw)
                Result   = if (Test-Path $resultPath) { Get-Content $resultPath -Raw | ConvertFrom-Json } else { $null }
            }
        }
    }

    function Get-TargetCpuSeconds {
        # The CPU time of the targets' sshd processes and every session they have reaped: what the
        # servers' side of the logins and password changes cost.
        $ticks = 0
        foreach ($target in $targets.Values) {
            $fields = ((Get-Content "/proc/$($target.ProcessId)/stat") -split '\) ', 2)[1] -split ' '
            $ticks += [long]$fields[11] + [long]$fields[12] + [long]$fields[13] + [long]$fields[14]
        }
        $ticks / 100
    }

    function Get-PasswordState {
        # Each account's password credential as stored: current version, versions kept in its
        # history, and whether a change is pending, read behind PassMan's back in one query.
        $sql = 'SELECT t.name, a.user_name, c.version, ' +
            '(SELECT count(*) FROM credential_versions v WHERE v.credential_id = c.id), ' +
            '(SELECT count(*) FROM credential_versions v WHERE v.credential_id = c.id AND v.version >= c.version), ' +
            'c.pending_secret IS NOT NULL ' +
            "FROM credentials c JOIN accounts a ON a.id = c.account_id JOIN targets t ON t.id = a.target_id " +
            "WHERE c.credential_type = 'Password'"
        $state = @{}
        foreach ($row in Invoke-VaultSql $vaultPath $sql) {
            $target, $user, $version, $history, $newer, $pending = $row -split '\|'
            $state["$target/$user"] = [pscustomobject]@{
                Version  = [int]$version
                Versions = 1 + [int]$history
                Newer    = [int]$newer
                Pending  = $pending -eq '1'
            }
        }
        $state
    }

    function Assert-Reported {
        # What the children reported against what the vault holds: every version exists with the
        # value reported, the current version is the newest, and nothing else was added.
        param([object[]] $Children, [hashtable] $State, [string[]] $Accounts)

        $reported = @($Children.Result.Reported)
        $byAccount = $reported | Group-Object Account -AsHashTable -AsString
        foreach ($account in $Accounts) {
            $mine = @(if ($byAccount -and $byAccount.ContainsKey($account)) { $byAccount[$account] })
            $stored = $State[$account]
            $stored.Versions | Should -Be (1 + $mine.Count) -Because "$account was reset $($mine.Count) time(s)"
            $stored.Version | Should -Be $stored.Versions -Because "$account's current version is its newest"
            $stored.Newer | Should -Be 0 -Because "no past version of $account is newer than the current one"
            @($mine | ForEach-Object Version | Sort-Object -Unique).Count | Should -Be $mine.Count `
                -Because "no two resets of $account reported the same version"
        }

        foreach ($entry in $reported) {
            $target, $user = $entry.Account -split '/'
            $credential = Get-PMCredential $target $user -Version $entry.Version -Reason 'test'
            Get-ValueHash $credential.GetNetworkCredential().Password | Should -Be $entry.Hash `
                -Because "version $($entry.Version) of $($entry.Account) holds the value its reset reported"
        }

        $resets = @(Get-PMAuditLog -Action CredentialReset)
        $resets.Count | Should -Be $reported.Count -Because 'the audit log holds one entry per reported reset'
        $audited = $resets | Group-Object { "$($_.Target)/$($_.UserName)" } -AsHashTable -AsString
        foreach ($account in @($byAccount.Keys)) {
            @($audited[$account]).Count | Should -Be @($byAccount[$account]).Count
        }
        Test-PMAuditLog -Quiet | Should -BeTrue
    }

    function Assert-Overlapped([object[]] $Children) {
        # The barrier worked: every child was still resetting when the last one began.
        $lastStart = ($Children.Result.Started | Measure-Object -Maximum).Maximum
        $firstEnd = ($Children.Result.Ended | Measure-Object -Minimum).Minimum
        $lastStart | Should -BeLessThan $firstEnd -Because 'the children ran at the same time'
        $seconds = (($Children.Result.Ended | Measure-Object -Maximum).Maximum -
            ($Children.Result.Started | Measure-Object -Minimum).Minimum) / 1e7
        $cpu = ($Children.Result.CpuSeconds | Measure-Object -Sum).Sum
        $text = '    the resets took {0:n1} s from the first start to the last end; the children used {1:n1} s of CPU'
        Write-Host ($text -f $seconds, $cpu)
    }

    function Assert-NoBusyError([object[]] $Children) {
        foreach ($child in $Children) {
            $text = "$($child.Output) $(@($child.Result.Errors | ForEach-Object Message) -join ' ')"
            $text | Should -Not -Match '\b(locked|busy)\b' -Because "child $($child.Index) must not meet SQLite's locks"
        }
    }
}

AfterAll {
    Stop-SshTarget -All
}

Describe 'Four processes resetting one vault' {
    Context 'In the vault only' {
        BeforeAll {
            $script:vaultPath = Join-Path $TestDrive 'vault-only.db'
            $null = New-PMVault -Path $vaultPath
            $null = New-PMTarget vaulted 127.0.0.1
            $script:users = 1..1000 | ForEach-Object { 'user{0:d4}' -f $_ }
            $null = $users | ForEach-Object { [pscustomobject]@{ Target = 'vaulted'; UserName = $_ } } |
                New-PMAccount -Password (ConvertTo-TestSecureString 'Vaulted-Start-Passw0rd')
        }

        It 'loses no update and reports only what the vault holds when each account is reset by two processes' {
            # Four blocks of 125 accounts, each process takes two neighbouring ones: every account
            # in blocks 0 to 3 is in two sets; the other 500 are touched by nobody.
            $accounts = $users | ForEach-Object { "vaulted/$_" }
            $blocks = 0..3 | ForEach-Object { , $accounts[($_ * 125)..($_ * 125 + 124)] }
            $sets = 0..3 | ForEach-Object { , @($blocks[$_] + $blocks[($_ + 1) % 4]) }

            $children = @(Invoke-ResetChildren -Sets $sets)

            foreach ($child in $children) {
                $child.ExitCode | Should -Be 0 -Because $child.Output
                @($child.Result.Errors) | Should -BeNullOrEmpty -Because "child $($child.Index) met no error"
                @($child.Result.Reported).Count | Should -Be 250
            }
            Assert-NoBusyError $children
            $state = Get-PasswordState
            Assert-Reported -Children $children -State $state -Accounts $accounts
            foreach ($account in $accounts[500..999]) {
                $state[$account].Versions | Should -Be 1 -Because "$account was in no set"
            }
            Assert-Overlapped $children
        }
    }
}

Describe 'Four processes resetting on targets' {
    BeforeAll {
        $script:vaultPath = Join-Path $TestDrive 'on-target.db'
        $null = New-PMVault -Path $vaultPath
        $script:targets = @{}
        $script:users = 1..250 | ForEach-Object { 'u{0:d3}' -f $_ }
        $start = 'Target-Start-Passw0rd'
        foreach ($i in 1..4) {
            # Of the key exchanges OpenSSH 9.2 offers, the client computes sntrup761x25519 (its first
            # choice) in managed code, about 0.1 s of CPU a connection; curve25519 takes a fifth of
            # that. Three connections a reset, two thousand logins: the test allows the cheap one.
            $target = Start-SshTarget -SshdOption 'KexAlgorithms curve25519-sha256'
            $targets["t$i"] = $target
            $lines = $users | ForEach-Object { "${_}:$start" }
            # sha512crypt with 1000 rounds instead of yescrypt, and no motd scripts run at each login:
            # a thousand accounts changed and tried cost the servers a few times less CPU that way,
            # and neither touches what PassMan does. Only this target's private /etc changes.
            $null = Invoke-SshTarget $target ("sed -i -E '/^password.*pam_unix\.so/ s/\byescrypt\b/sha512 " +
                "rounds=1000/' /etc/pam.d/common-password && sed -i -E '/pam_motd\.so/ s/^/#/' /etc/pam.d/sshd")
            $null = Invoke-SshTarget $target ("for u in $($users -join ' '); do useradd -m -s /bin/bash `$u; done " +
                '&& chpasswd') -InputText (($lines -join "`n") + "`n")
            Invoke-SshTarget $target "grep -c '^u[0-9]*:[$]6[$]' /etc/shadow" | Should -Be 250
            $null = New-PMTarget "t$i" $target.Address -Port $target.Port
            $null = Test-PMTarget "t$i" -TrustHostKey -Confirm:$false
        }
        $script:accounts = foreach ($name in 't1', 't2', 't3', 't4') { $users | ForEach-Object { "$name/$_" } }
        $null = $accounts | ForEach-Object { $t, $u = $_ -split '/'; [pscustomobject]@{ Target = $t; UserName = $u } } |
            New-PMAccount -Password (ConvertTo-TestSecureString $start)
    }

    It 'sets every password once per reported reset, each logging in, with PendingChange the only refusal' {
        # 250 accounts each, spread over the four targets, and five of the next set's besides.
        $own = 0..3 | ForEach-Object { $k = $_; , @(0..999 | Where-Object { $_ % 4 -eq $k } | ForEach-Object {
                    $accounts[$_] }) }
        $sets = 0..3 | ForEach-Object { , @($own[$_] + $own[($_ + 1) % 4][0..4]) }
        $shared = @($own | ForEach-Object { $_[0..4] })

        $servers = Get-TargetCpuSeconds
        $children = @(Invoke-ResetChildren -Sets $sets -OnTarget)
        Write-Host ('    the targets used {0:n1} s of CPU' -f ((Get-TargetCpuSeconds) - $servers))

        foreach ($child in $children) {
            $child.ExitCode | Should -Be 0 -Because $child.Output
            foreach ($failure in @($child.Result.Errors)) {
                $failure.Id | Should -BeLike 'PendingChange,*' -Because $failure.Message
                $shared | Should -Contain $failure.Target -Because 'only a shared account can meet a change elsewhere'
            }
            @($child.Result.Reported | Where-Object Status -NE 'InSync') | Should -BeNullOrEmpty
            @($child.Result.Reported).Count + @($child.Result.Errors).Count | Should -Be 255
        }
        Write-Host ('    {0} reset(s) of a shared account met a change pending in another process' -f
            @($children.Result.Errors).Count)
        Assert-NoBusyError $children
        Assert-Overlapped $children
        $state = Get-PasswordState
        @($accounts | Where-Object { $state[$_].Pending }) | Should -BeNullOrEmpty -Because 'no change is left pending'
        Assert-Reported -Children $children -State $state -Accounts $accounts

        $clock = [Diagnostics.Stopwatch]::StartNew()
        $servers = Get-TargetCpuSeconds
        $checks = @(Get-PMAccount | Test-PMCredential)
        Write-Host ('    Test-PMCredential of 1000 accounts: {0:n1} s; the targets used {1:n1} s of CPU' -f
            $clock.Elapsed.TotalSeconds, ((Get-TargetCpuSeconds) - $servers))
        $checks.Count | Should -Be 1000
        @($checks | Where-Object Status -NE 'InSync') | Should -BeNullOrEmpty
        foreach ($account in $shared + $accounts[7, 333, 512, 999]) {
            $target, $user = $account -split '/'
            $password = (Get-PMCredential $target $user -Reason 'test').GetNetworkCredential().Password
            Test-SshTargetLogin $targets[$target] $user -Password $password | Should -BeTrue -Because $account
        }
    }
}
