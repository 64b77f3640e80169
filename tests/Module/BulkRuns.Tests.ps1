# Bulk runs on real OpenSSH servers that end badly: the pwsh running them killed, the target's sshd
# killed, Ctrl+C in a console. After each, every account still opens with a value the vault holds.
# Also: the connection that changes through one reconcile account share.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Targets/SshTargets.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    function New-BulkTarget {
        # A target with $Count users, each with the password "<user>-Start-Passw0rd", and a fresh
        # vault that pins the target's host keys and holds an account for each user.
        param([string] $Name, [string] $Prefix, [int] $Count, [int] $MaxConnections = 3, [string] $ReconcileAccount)

        $target = Start-SshTarget
        $users = 1..$Count | ForEach-Object { "$Prefix$_" }
        $lines = $users | ForEach-Object { "${_}:$_-Start-Passw0rd" }
        $null = Invoke-SshTarget $target ("for u in $($users -join ' '); do useradd -m -s /bin/bash `$u; done " +
            '&& chpasswd') -InputText (($lines -join "`n") + "`n")

        $script:vaultPath = Join-Path $TestDrive "$([guid]::NewGuid()).db"
        $null = New-PMVault -Path $vaultPath
        $null = New-PMTarget $Name $target.Address -Port $target.Port -MaxConnections $MaxConnections
        $null = Test-PMTarget $Name -TrustHostKey -Confirm:$false
        if ($ReconcileAccount) {
            $null = New-SshTargetUser $target $ReconcileAccount "$ReconcileAccount-Sudo-Passw0rd" -Sudo Password
            $null = New-PMAccount $Name $ReconcileAccount -Password (
                ConvertTo-TestSecureString "$ReconcileAccount-Sudo-Passw0rd")
        }
        foreach ($user in $users) {
            $account = @{ Password = ConvertTo-TestSecureString "$user-Start-Passw0rd" }
            if ($ReconcileAccount) { $account.ReconcileAccount = $ReconcileAccount }
            $null = New-PMAccount $Name $user @account
        }
        [pscustomobject]@{ Target = $target; Name = $Name; Users = $users }
    }

    function Add-SlowPasswordChange([psobject] $Target) {
        # A last password module that sleeps once pam_unix has written the new password: every change
        # spends three seconds with the new value on the target and its passwd not yet done.
        $null = Invoke-SshTarget $Target `
            'echo "password optional pam_exec.so quiet /bin/sleep 3" >> /etc/pam.d/common-password'
    }

    function Start-BulkReset([string] $Target, [int] $ThrottleLimit) {
        # The reset in a pwsh of its own, so that the test can kill it, or kill what it talks to.
        $script = "Import-Module '$(Get-TestModulePath)'; `$env:PASSMAN_VAULT = '$vaultPath'; " +
            "Get-PMAccount -Target $Target | Reset-PMCredential -Generate -Force -ThrottleLimit $ThrottleLimit"
        $pwsh = [Environment]::ProcessPath
        $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        Start-Process -FilePath $pwsh -PassThru -RedirectStandardError (Join-Path $TestDrive 'bulk.err') `
            -ArgumentList ($prefix + @('-NoProfile', '-NonInteractive', '-Command', $script))
    }

    function Get-ChangedCount {
        [int](Invoke-VaultSql $vaultPath 'SELECT count(*) FROM credentials WHERE version > 1')
    }

    function Wait-Until([scriptblock] $Condition, [int] $Seconds = 90) {
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Still not true after $Seconds s: $Condition" }
            Start-Sleep -Milliseconds 50
        }
    }

    function Get-Password([string] $Target, [string] $UserName, [switch] $Pending) {
        (Get-PMCredential $Target $UserName -Reason 'test' -Pending:$Pending -WarningAction SilentlyContinue).
            GetNetworkCredential().Password
    }

    function Assert-CurrentOrPendingOpens([psobject] $Bulk) {
        # Before anything resolves them: the current or the pending value opens each account, with
        # the real ssh client. Returns the accounts with a change pending.
        $pending = @(Get-PMAccount -Target $Bulk.Name -PendingChange | ForEach-Object UserName)
        foreach ($user in $Bulk.Users) {
            $opens = (Test-SshTargetLogin $Bulk.Target $user -Password (Get-Password $Bulk.Name $user)) -or
                ($user -in $pending -and
                    (Test-SshTargetLogin $Bulk.Target $user -Password (Get-Password $Bulk.Name $user -Pending)))
            $opens | Should -BeTrue -Because "the vault must hold a value that opens $user"
        }
        , $pending
    }

    function Assert-EveryAccountOpens([psobject] $Bulk) {
        # The current value of every account logs in with the real ssh client.
        foreach ($user in $Bulk.Users) {
            Test-SshTargetLogin $Bulk.Target $user -Password (Get-Password $Bulk.Name $user) |
                Should -BeTrue -Because "$user's current password must open it"
        }
    }
}

Describe 'Bulk runs that end badly' {
    It 'loses no account when the pwsh running a bulk reset is killed with SIGKILL halfway' {
        $bulk = New-BulkTarget -Name victim -Prefix kill -Count 24 -MaxConnections 4
        try {
            $child = Start-BulkReset victim -ThrottleLimit 4
            Wait-Until { (Get-ChangedCount) -ge 6 -or $child.HasExited }
            Stop-Process -Id $child.Id -Force
            $child.WaitForExit()
            Get-ChangedCount | Should -BeLessThan 24 -Because 'the kill must land in the middle of the run'
            $null = Assert-CurrentOrPendingOpens $bulk

            $results = @(Get-PMAccount -Target victim | Test-PMCredential)

            @($results | Where-Object Status -EQ 'InSync').Count | Should -Be 24
            Assert-EveryAccountOpens $bulk
        }
        finally {
            Stop-SshTarget $bulk.Target
        }
    }

    It 'loses no account when the target''s sshd is killed while passwords are being changed' {
        $bulk = New-BulkTarget -Name crashed -Prefix crash -Count 16 -MaxConnections 4
        try {
            Add-SlowPasswordChange $bulk.Target
            $child = Start-BulkReset crashed -ThrottleLimit 4
            # Once some accounts are done and others have their new password on the target, their
            # passwd still running.
            Wait-Until { ((Get-ChangedCount) -ge 4 -and (pgrep -fx '/bin/sleep 3')) -or $child.HasExited }
            Stop-SshTargetDaemon $bulk.Target
            $child.WaitForExit(120000) | Should -BeTrue -Because 'the run ends once its target is gone'
            Get-ChangedCount | Should -BeLessThan 16
            Start-SshTargetDaemon $bulk.Target

            $pending = Assert-CurrentOrPendingOpens $bulk
            $pending.Count | Should -BeGreaterThan 0 -Because 'changes were cut off with the new value on the target'

            $results = @(Get-PMAccount -Target crashed | Test-PMCredential)

            @($results | Where-Object Status -EQ 'InSync').Count | Should -Be 16
            @(Get-PMAccount -Target crashed -PendingChange).Count | Should -Be 0
            Assert-EveryAccountOpens $bulk
        }
        finally {
            Stop-SshTarget $bulk.Target
        }
    }

    It 'stops at Ctrl+C in a console: running changes end, no new one starts, every account opens' {
        $bulk = New-BulkTarget -Name stopped -Prefix stop -Count 16 -MaxConnections 2
        $done = Join-Path $TestDrive 'stopped.done'
        $console = 'pm-ctrl-c'
        $file = Join-Path $TestDrive 'ctrl-c.ps1'
        Set-Content -LiteralPath $file -Value @"
Import-Module '$(Get-TestModulePath)'
`$env:PASSMAN_VAULT = '$vaultPath'
try { Get-PMAccount -Target stopped | Reset-PMCredential -Generate -Force -ThrottleLimit 2 }
finally { `$PID | Set-Content '$done' }
"@
        try {
            Add-SlowPasswordChange $bulk.Target
            tmux new-session -d -s $console -x 160 -y 40 "$(Get-PwshCommandLine) -NoProfile -File '$file'; sleep 60"
            Wait-Until { (Get-ChangedCount) -ge 2 }

            tmux send-keys -t $console C-c
            Wait-Until { Test-Path $done }
            $shell = [int](Get-Content -LiteralPath $done)
            Wait-Until { -not (Get-Process -Id $shell -ErrorAction SilentlyContinue) }

            $changed = Get-ChangedCount
            $changed | Should -BeLessThan 16 -Because 'Ctrl+C starts no new change'
            @(Get-PMAccount -Target stopped -PendingChange).Count | Should -Be 0 -Because 'running changes end'
            @(Get-PMAccount -Target stopped | Where-Object Status -EQ 'InSync').Count | Should -Be $changed
            Assert-EveryAccountOpens $bulk
        }
        finally {
            tmux kill-session -t $console 2>$null
            Stop-SshTarget $bulk.Target
        }
    }
}

Describe 'Pending values' {
    It 'refuses -Pending for a credential with no change pending, and with -Version or -History' {
        $bulk = New-BulkTarget -Name calm -Prefix calm -Count 1
        try {
            { Get-PMCredential calm calm1 -Pending -ErrorAction Stop } | Should -Throw -ErrorId 'NoPendingChange,*'
            { Get-PMCredential calm calm1 -Pending -Version 1 } | Should -Throw -ErrorId 'ParameterConflict,*'
            { Get-PMCredential calm calm1 -Pending -History } | Should -Throw -ErrorId 'ParameterConflict,*'
            @(Get-PMAuditLog -Action CredentialCheckedOut).Count | Should -Be 0
        }
        finally {
            Stop-SshTarget $bulk.Target
        }
    }
}

Describe 'Shared connections' {
    It 'logs in once as the reconcile account for all the accounts a bulk run resets through it' {
        $bulk = New-BulkTarget -Name shared -Prefix share -Count 12 -ReconcileAccount keeper
        try {
            $results = @(Get-PMAccount -Target shared -UserName ($bulk.Users) |
                    Reset-PMCredential -Generate -Reconcile -Force -PassThru -ErrorVariable failed)

            @($failed).Count | Should -Be 0
            @($results | Where-Object StatusAfter -EQ 'InSync').Count | Should -Be 12
            $log = Get-SshTargetLog $bulk.Target
            [regex]::Matches($log, 'Accepted password for keeper ').Count | Should -Be 1
            @(Get-PMAuditLog -Action CredentialReset | Where-Object Details -Match 'reconcile account keeper').Count |
                Should -Be 12
            Assert-EveryAccountOpens $bulk
        }
        finally {
            Stop-SshTarget $bulk.Target
        }
    }
}
