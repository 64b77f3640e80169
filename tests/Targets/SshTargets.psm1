# Real OpenSSH servers for the Pester tests, and what a test needs to drive them. Each target is an
# sshd in a mount namespace of its own (see sshd-target beside this file): the users, passwords and
# sudo rules a test makes there exist only inside that target. Needs root on Linux.

Set-StrictMode -Version Latest

$script:Tool = Join-Path $PSScriptRoot 'sshd-target'
$script:UserNamePattern = '^[a-z_][a-z0-9_-]{0,31}$'

function Invoke-TargetProcess {
    # Runs a program and returns its exit code, standard output and standard error. Secrets go in
    # -InputText (standard input) or -Environment, never in -ArgumentList, which any process on the
    # machine can read in /proc.
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [AllowEmptyString()] [string] $InputText = '',
        [hashtable] $Environment = @{},
        [int] $TimeoutSeconds = 60
    )

    $utf8 = [Text.UTF8Encoding]::new($false)
    $info = [Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($argument in $ArgumentList) { $info.ArgumentList.Add($argument) }
    foreach ($name in $Environment.Keys) { $info.Environment[$name] = [string]$Environment[$name] }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.StandardInputEncoding = $utf8
    $info.StandardOutputEncoding = $utf8
    $info.StandardErrorEncoding = $utf8

    $process = [Diagnostics.Process]::Start($info)
    try {
        $output = $process.StandardOutput.ReadToEndAsync()
        $errors = $process.StandardError.ReadToEndAsync()
        try {
            $process.StandardInput.Write($InputText)
            $process.StandardInput.Close()
        }
        catch [IO.IOException] {
            # The program ended without reading all of its input; its exit code tells the rest.
        }
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "'$FilePath $($ArgumentList -join ' ')' did not end within $TimeoutSeconds seconds."
        }
        $process.WaitForExit()
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            Output   = $output.GetAwaiter().GetResult()
            Error    = $errors.GetAwaiter().GetResult()
        }
    }
    finally {
        $process.Dispose()
    }
}

function Invoke-TargetTool {
    # Runs sshd-target through bash, so that it needs no execute bit, and returns its output.
    param([Parameter(Mandatory)] [string[]] $ArgumentList)

    $result = Invoke-TargetProcess -FilePath '/bin/bash' -ArgumentList (@($script:Tool) + $ArgumentList)
    if ($result.ExitCode -ne 0) {
        throw "sshd-target $($ArgumentList[0]) failed (exit code $($result.ExitCode)): $($result.Error.Trim())"
    }
    $result.Output
}

function ConvertTo-HostKey {
    # sshd-target prints one host key a line: type, fingerprint and public key, tab-separated.
    param([Parameter(Mandatory)] [string] $Text)

    foreach ($line in $Text -split "`n" | Where-Object { $_ }) {
        $type, $fingerprint, $publicKey = $line -split "`t"
        [pscustomobject]@{
            PSTypeName  = 'PassMan.Tests.SshTargetHostKey'
            Type        = $type
            PublicKey   = $publicKey
            Fingerprint = $fingerprint
        }
    }
}

function Assert-UserName([string] $UserName) {
    if ($UserName -notmatch $script:UserNamePattern) {
        throw "'$UserName' is not a user name this module makes (lower case letters, digits, _ and -)."
    }
}

function Start-SshTarget {
    <#
    .SYNOPSIS
    Starts a new SSH target: a real sshd on 127.0.0.N port 2022 in a mount namespace of its own.

    .DESCRIPTION
    The target has a private copy of /etc and private empty /home, /run, /var/log, /var/mail,
    /var/lib/sudo, /tmp and /var/tmp, so the users and passwords a test makes there exist only there.
    Targets whose owner process has died are removed first. The target is owned by this process;
    Stop-SshTarget -All stops every target it owns; a watcher removes them when this process ends.

    .PARAMETER SshdOption
    sshd_config lines that come before the target's defaults, and so win over them (sshd keeps the
    first value of a keyword). A Match block goes last.

    .PARAMETER PasswordMinLength
    pam_unix's minlen for passwords changed by passwd inside the target (obscure is on, as on Debian).

    .PARAMETER SudoTimestampType
    sudo's timestamp_type inside the target: Global lets a sudo password entered in one session
    count for the next one.
    #>
    [CmdletBinding()]
    [OutputType('PassMan.Tests.SshTarget')]
    param(
        [string[]] $SshdOption = @(),
        [ValidateRange(1, 99)] [int] $PasswordMinLength,
        [ValidateSet('Tty', 'Ppid', 'Global')] [string] $SudoTimestampType
    )

    $arguments = @('start', '--owner', [string]$PID)
    if ($PSBoundParameters.ContainsKey('PasswordMinLength')) { $arguments += '--min-length', "$PasswordMinLength" }
    if ($SudoTimestampType) { $arguments += '--sudo-timestamp', $SudoTimestampType.ToLowerInvariant() }
    foreach ($option in $SshdOption) { $arguments += '--option', $option }

    Register-ExitCleanup
    $fields = @{}
    foreach ($line in (Invoke-TargetTool $arguments) -split "`n" | Where-Object { $_ }) {
        $name, $value = $line -split "`t", 2
        $fields[$name] = $value
    }
    $address = $fields['address']
    Write-Verbose "${address}: sshd is listening on port $($fields['port'])"

    [pscustomobject]@{
        PSTypeName     = 'PassMan.Tests.SshTarget'
        Name           = 'sshtarget-' + $address.Split('.')[-1]
        Address        = $address
        Port           = [int]$fields['port']
        Root           = $fields['root']
        ProcessId      = [int]$fields['pid']
        LogPath        = Join-Path $fields['root'] 'sshd.log'
        KnownHostsPath = Join-Path $fields['root'] 'known_hosts'
        HostKeys       = @(ConvertTo-HostKey (Invoke-TargetTool 'keys', $address))
    }
}

function Register-ExitCleanup {
    # Once per process, a watcher that removes this process's targets when it ends, however it ends
    # (PowerShell raises no exit event for a script run with -File). Detached, so that it outlives us.
    $flag = 'PassMan.Tests.SshTargets.Watcher'
    if ([AppDomain]::CurrentDomain.GetData($flag)) { return }
    $detach = 'setsid -f /bin/bash "$0" watch "$1" </dev/null >/dev/null 2>&1'
    $result = Invoke-TargetProcess -FilePath '/bin/bash' -ArgumentList @('-c', $detach, $script:Tool, "$PID")
    if ($result.ExitCode -ne 0) { throw "The SSH targets' watcher did not start: $($result.Error.Trim())" }
    [AppDomain]::CurrentDomain.SetData($flag, $true)
}

function Stop-SshTarget {
    <#
    .SYNOPSIS
    Stops SSH targets: kills every process in their namespaces and removes their folders.
    -All stops every target this process owns.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Target')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ParameterSetName = 'Target')]
        [psobject[]] $Target,

        [Parameter(Mandatory, ParameterSetName = 'All')]
        [switch] $All
    )

    process {
        if ($All) {
            $null = Invoke-TargetTool 'stop-owner', "$PID"
            return
        }
        foreach ($item in $Target) {
            Write-Verbose "$($item.Address): stopping"
            $null = Invoke-TargetTool 'stop', $item.Address
        }
    }
}

function Invoke-SshTarget {
    <#
    .SYNOPSIS
    Runs a bash command as root inside a target's mount namespace and returns its standard output
    (without the last line break). Throws with standard error when the command fails.

    .PARAMETER InputText
    Standard input for the command: the place for secrets, which must never be in -Command.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory, Position = 0)] [psobject] $Target,
        [Parameter(Mandatory, Position = 1)] [string] $Command,
        [AllowEmptyString()] [string] $InputText = ''
    )

    $arguments = '-t', [string]$Target.ProcessId, '-m', '--', '/bin/bash', '-c', $Command
    $result = Invoke-TargetProcess -FilePath 'nsenter' -ArgumentList $arguments -InputText $InputText
    if ($result.ExitCode -ne 0) {
        throw "$($Target.Address): '$Command' failed (exit code $($result.ExitCode)): $($result.Error.Trim())"
    }
    $result.Output -replace '\n\z'
}

function New-SshTargetUser {
    <#
    .SYNOPSIS
    Creates a user on a target (useradd -m -s /bin/bash), sets its password with chpasswd and
    optionally lets it use sudo, asking for its password (-Sudo Password) or not (-Sudo NoPassword).
    #>
    [CmdletBinding()]
    [OutputType('PassMan.Tests.SshTargetUser')]
    param(
        [Parameter(Mandatory, Position = 0)] [psobject] $Target,
        [Parameter(Mandatory, Position = 1)] [string] $UserName,
        [Parameter(Mandatory, Position = 2)] [string] $Password,
        [ValidateSet('None', 'Password', 'NoPassword')] [string] $Sudo = 'None'
    )

    Assert-UserName $UserName
    if ($Password -match '[\r\n]') { throw 'A password for chpasswd cannot hold a line break.' }

    Write-Verbose "$($Target.Address): creating the user $UserName"
    Invoke-SshTarget $Target "useradd -m -s /bin/bash $UserName && chpasswd" -InputText "${UserName}:$Password`n" |
        Out-Null
    if ($Sudo -ne 'None') {
        $rule = "$UserName ALL=(ALL:ALL) " + $(if ($Sudo -eq 'NoPassword') { 'NOPASSWD: ALL' } else { 'ALL' })
        $file = "/etc/sudoers.d/passman-$UserName"
        Invoke-SshTarget $Target "printf '%s\n' '$rule' >$file && chmod 440 $file && visudo -cqf $file" | Out-Null
    }

    [pscustomobject]@{
        PSTypeName = 'PassMan.Tests.SshTargetUser'
        Target     = $Target.Name
        UserName   = $UserName
        Sudo       = $Sudo
    }
}

function Add-SshTargetAuthorizedKey {
    <#
    .SYNOPSIS
    Adds a public key line to a target user's ~/.ssh/authorized_keys, with the modes StrictModes asks.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [psobject] $Target,
        [Parameter(Mandatory, Position = 1)] [string] $UserName,
        [Parameter(Mandatory, Position = 2)] [string] $PublicKey
    )

    Assert-UserName $UserName
    $script = "install -d -m 700 -o $UserName -g $UserName ~$UserName/.ssh && cat >>~$UserName/.ssh/authorized_keys" +
        " && chown ${UserName}: ~$UserName/.ssh/authorized_keys && chmod 600 ~$UserName/.ssh/authorized_keys"
    Invoke-SshTarget $Target $script -InputText ($PublicKey.Trim() + "`n") | Out-Null
}

function Invoke-SshTargetAsUser {
    <#
    .SYNOPSIS
    Logs in to a target as a user with the real OpenSSH client, runs a command there without a
    terminal (an exec channel) and returns its ExitCode, Output and Error.

    .DESCRIPTION
    A password goes to sshpass in the SSHPASS variable of its environment, never on a command line.
    The client reads no configuration and trusts only the target's keys (-KnownHostsPath, by default
    the target's own file), with StrictHostKeyChecking yes. A key file must have mode 0600.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Password')]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, Position = 0)] [psobject] $Target,
        [Parameter(Mandatory, Position = 1)] [string] $UserName,
        [Parameter(Mandatory, ParameterSetName = 'Password')] [string] $Password,
        [Parameter(Mandatory, ParameterSetName = 'Key')] [string] $KeyPath,
        [string] $Command = 'true',
        [AllowEmptyString()] [string] $InputText = '',
        [string] $KnownHostsPath = $Target.KnownHostsPath,
        [string[]] $SshOption = @()
    )

    $ssh = @(
        '-F', '/dev/null', '-p', [string]$Target.Port, '-l', $UserName
        '-o', "UserKnownHostsFile=$KnownHostsPath", '-o', 'GlobalKnownHostsFile=/dev/null'
        '-o', 'StrictHostKeyChecking=yes', '-o', 'UpdateHostKeys=no', '-o', 'IdentityAgent=none'
        '-o', 'ConnectTimeout=10'
    )
    foreach ($option in $SshOption) { $ssh += '-o', $option }
    $environment = @{}
    if ($PSCmdlet.ParameterSetName -eq 'Password') {
        $program = 'sshpass'
        $ssh = @('-e', 'ssh') + $ssh + @('-o', 'PreferredAuthentications=password', '-o', 'PubkeyAuthentication=no',
            '-o', 'NumberOfPasswordPrompts=1')
        $environment['SSHPASS'] = $Password
    }
    else {
        $program = 'ssh'
        $ssh += '-o', 'BatchMode=yes', '-o', 'PreferredAuthentications=publickey', '-o', 'IdentitiesOnly=yes',
            '-i', $KeyPath
    }
    $ssh += $Target.Address, $Command

    Write-Verbose "$($Target.Address): running '$Command' as $UserName over ssh"
    $result = Invoke-TargetProcess -FilePath $program -ArgumentList $ssh -InputText $InputText -Environment $environment
    [pscustomobject]@{ ExitCode = $result.ExitCode; Output = $result.Output; Error = $result.Error }
}

function Test-SshTargetLogin {
    <#
    .SYNOPSIS
    Whether a user can log in to a target with this password or key, through the real OpenSSH
    client. $false for a refused login; any other failure (host key, connection) throws.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Password')]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory, Position = 0)] [psobject] $Target,
        [Parameter(Mandatory, Position = 1)] [string] $UserName,
        [Parameter(Mandatory, ParameterSetName = 'Password')] [string] $Password,
        [Parameter(Mandatory, ParameterSetName = 'Key')] [string] $KeyPath,
        [string] $KnownHostsPath = $Target.KnownHostsPath,
        [string[]] $SshOption = @()
    )

    $login = @{ Target = $Target; UserName = $UserName; KnownHostsPath = $KnownHostsPath; SshOption = $SshOption }
    if ($PSCmdlet.ParameterSetName -eq 'Password') { $login.Password = $Password } else { $login.KeyPath = $KeyPath }
    $result = Invoke-SshTargetAsUser @login
    if ($result.ExitCode -eq 0) { return $true }

    # sshpass exits with 5 when the password is refused; ssh says so in its own words.
    if ($result.ExitCode -eq 5 -or $result.Error -match 'Permission denied') { return $false }
    throw "$($Target.Address): logging in as $UserName failed (exit code $($result.ExitCode)): $($result.Error.Trim())"
}

function Reset-SshTargetHostKey {
    <#
    .SYNOPSIS
    Gives a target new host keys: sshd re-reads them on SIGHUP, keeping its pid and namespace. The
    target's known_hosts file and HostKeys follow; returns the new HostKeys.
    #>
    [CmdletBinding()]
    [OutputType('PassMan.Tests.SshTargetHostKey')]
    param([Parameter(Mandatory, Position = 0)] [psobject] $Target)

    Write-Verbose "$($Target.Address): new host keys"
    $keys = @(ConvertTo-HostKey (Invoke-TargetTool 'rekey', $Target.Address))
    $Target.HostKeys = $keys
    $keys
}

function Stop-SshTargetDaemon {
    <#
    .SYNOPSIS
    Kills every sshd of a target with SIGKILL, as a crash of the server would: the listener and each
    connection's. The target's users, files and other processes stay; Start-SshTargetDaemon brings
    sshd back.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [psobject] $Target)

    Write-Verbose "$($Target.Address): sshd killed"
    $null = Invoke-TargetTool 'crash', $Target.Address
}

function Start-SshTargetDaemon {
    <#
    .SYNOPSIS
    Starts sshd again on a target whose sshd was killed, with the same configuration and host keys;
    the target's ProcessId follows.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [psobject] $Target)

    Write-Verbose "$($Target.Address): sshd started again"
    $Target.ProcessId = [int] (Invoke-TargetTool 'restart', $Target.Address).Trim()
}

function Get-SshTargetLog {
    <#
    .SYNOPSIS
    The text of a target's sshd log (LogLevel VERBOSE): "Accepted password for", "Failed password for".
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, Position = 0)] [psobject] $Target)

    Get-Content -LiteralPath $Target.LogPath -Raw
}

function Start-ProcessSampler {
    <#
    .SYNOPSIS
    Starts reading every process's command line on the machine (/proc/*/cmdline) in the background,
    every few milliseconds, until Stop-ProcessSampler.

    .DESCRIPTION
    A sweep of /proc takes about a millisecond or two, so a process that lives for less than a few
    milliseconds can be missed; the tests use it to show that a secret reached no command line.
    #>
    [CmdletBinding()]
    [OutputType('PassMan.Tests.ProcessSampler')]
    param([ValidateRange(0, 1000)] [int] $IntervalMilliseconds = 2)

    $state = [pscustomobject]@{
        Lines  = [Collections.Concurrent.ConcurrentDictionary[string, byte]]::new()
        Stop   = [Threading.CancellationTokenSource]::new()
        Sweeps = 0
    }
    $sweep = {
        param($State, [int] $Interval)
        $token = $State.Stop.Token
        while (-not $token.IsCancellationRequested) {
            foreach ($folder in [IO.Directory]::EnumerateDirectories('/proc')) {
                if (-not [char]::IsDigit([IO.Path]::GetFileName($folder)[0])) { continue }
                try { $bytes = [IO.File]::ReadAllBytes("$folder/cmdline") } catch { continue }
                if ($bytes.Length -eq 0) { continue }
                $line = [Text.Encoding]::UTF8.GetString($bytes).TrimEnd([char]0).Replace([char]0, ' ')
                $null = $State.Lines.TryAdd($line, 0)
            }
            $State.Sweeps++
            $null = $token.WaitHandle.WaitOne($Interval)
        }
    }
    $shell = [powershell]::Create()
    $null = $shell.AddScript($sweep.ToString()).AddArgument($state).AddArgument($IntervalMilliseconds)
    $handle = $shell.BeginInvoke()

    [pscustomobject]@{
        PSTypeName = 'PassMan.Tests.ProcessSampler'
        State      = $state
        Shell      = $shell
        Handle     = $handle
    }
}

function Stop-ProcessSampler {
    <#
    .SYNOPSIS
    Stops a process sampler and returns the distinct command lines it saw, arguments joined by spaces.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, Position = 0, ValueFromPipeline)] [psobject] $Sampler)

    process {
        $Sampler.State.Stop.Cancel()
        try {
            $null = $Sampler.Shell.EndInvoke($Sampler.Handle)
        }
        finally {
            $Sampler.Shell.Dispose()
            $Sampler.State.Stop.Dispose()
        }
        $Sampler.State.Lines.Keys | Sort-Object
    }
}

Export-ModuleMember -Function Start-SshTarget, Stop-SshTarget, Invoke-SshTarget, New-SshTargetUser,
    Add-SshTargetAuthorizedKey, Invoke-SshTargetAsUser, Test-SshTargetLogin, Reset-SshTargetHostKey,
    Stop-SshTargetDaemon, Start-SshTargetDaemon, Get-SshTargetLog, Start-ProcessSampler, Stop-ProcessSampler
