# The on-target reset figure's part of Invoke-Benchmarks.ps1: real OpenSSH servers from tests/Targets,
# their users and passwords, and what each run starts from. Dot-source it in the parent script, which
# owns the targets: they live as long as it does.
#
# Every password is random, made here, and goes to programs through standard input or files in a
# folder only root can read, never through a command line.

# What the figure runs on this machine: sshd-target's servers, and the baselines' OpenSSH client.
$script:OnTargetPrograms = '/usr/sbin/sshd', 'ssh', 'sshpass', 'xargs', 'nsenter', 'unshare'

function Get-OnTargetSkipReason {
    # Why this machine cannot run the on-target figure, or nothing when it can.
    if (-not $IsLinux) {
        return 'the SSH targets run on Linux only'
    }
    if ((& id -u) -ne '0') {
        return 'the SSH targets need root (each is an sshd in a mount namespace of its own)'
    }
    $missing = @($script:OnTargetPrograms |
        Where-Object { -not (Get-Command -Name $_ -CommandType Application -ErrorAction Ignore) })
    if ($missing.Count -gt 0) {
        return "$($missing -join ', ') not found; ./build.ps1 Test installs the packages openssh-server and sshpass"
    }
}

function New-BenchPassword {
    # 20 random characters with at least one upper case letter, lower case letter, digit and symbol,
    # as the Default policy makes them. The symbols leave out what a CSV file or a shell would quote.
    $alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%*+-.=?@^_~'
    do {
        $password = [Security.Cryptography.RandomNumberGenerator]::GetString($alphabet, 20)
    } until ($password -cmatch '[A-Z]' -and $password -cmatch '[a-z]' -and $password -match '[0-9]' -and
        $password -match '[^A-Za-z0-9]')
    $password
}

function New-OwnerOnlyFolder {
    param([Parameter(Mandatory)] [string] $Path)

    $mode = [IO.UnixFileMode]'UserRead, UserWrite, UserExecute'
    [IO.Directory]::CreateDirectory($Path, $mode).FullName
}

function Start-OnTargetBench {
    # Starts $TargetCount SSH targets and creates $AccountCount users, spread round-robin over them as
    # the CSV files of the other figures spread accounts, each with a random start password. Writes the
    # accounts to accounts.csv in $Folder (created for root alone), for New-OnTargetVault.ps1; returns
    # the folder, the targets by PassMan's target name, and the accounts.
    param(
        [Parameter(Mandatory)] [string] $Folder,
        [Parameter(Mandatory)] [int] $TargetCount,
        [Parameter(Mandatory)] [int] $AccountCount
    )

    Import-Module (Join-Path $PSScriptRoot '../tests/Targets/SshTargets.psm1')
    $Folder = New-OwnerOnlyFolder -Path $Folder
    $targets = [ordered]@{}
    for ($number = 1; $number -le $TargetCount; $number++) {
        $targets[(Get-BenchTargetName -Number $number)] = Start-SshTarget
    }

    $accounts = for ($i = 1; $i -le $AccountCount; $i++) {
        $name = Get-BenchTargetName -Number (($i - 1) % $TargetCount + 1)
        [pscustomobject]@{
            Target   = $name
            HostName = $targets[$name].Address
            Port     = $targets[$name].Port
            UserName = 'svc-{0:d6}' -f $i
            Password = New-BenchPassword
        }
    }
    foreach ($name in $targets.Keys) {
        $commands = @($accounts | Where-Object Target -EQ $name |
            ForEach-Object { "useradd -m -s /bin/bash $($_.UserName)" })
        if ($commands.Count -gt 0) {
            $null = Invoke-SshTarget $targets[$name] ($commands -join ' && ')
        }
    }

    $bench = [pscustomobject]@{
        Folder       = $Folder
        Targets      = $targets
        Accounts     = @($accounts)
        AccountsPath = Join-Path $Folder 'accounts.csv'
        RunFolder    = $null
    }
    Restore-OnTargetPassword -Bench $bench
    $bench.Accounts | Export-Csv -LiteralPath $bench.AccountsPath
    $bench
}

function Restore-OnTargetPassword {
    # Gives every user its start password again, with chpasswd as root inside its target: behind
    # PassMan's back, so that every run, on any side, starts from the passwords the vault holds.
    param([Parameter(Mandatory)] [psobject] $Bench)

    foreach ($name in $Bench.Targets.Keys) {
        $lines = @($Bench.Accounts | Where-Object Target -EQ $name |
            ForEach-Object { "$($_.UserName):$($_.Password)" })
        if ($lines.Count -gt 0) {
            $null = Invoke-SshTarget $Bench.Targets[$name] 'chpasswd' -InputText (($lines -join "`n") + "`n")
        }
    }
}

function New-OnTargetBaselineInput {
    # A baseline run's input, in a folder of its own that replaces the previous run's: for every
    # account a file with its start password and a new random one, and the list OnTargetBaseline.sh
    # reads, one account a line, in the order of the vault's accounts. Returns the list's path.
    param([Parameter(Mandatory)] [psobject] $Bench)

    if ($Bench.RunFolder) {
        Remove-Item -LiteralPath $Bench.RunFolder -Recurse -Force
    }
    $Bench.RunFolder = New-OwnerOnlyFolder -Path (Join-Path $Bench.Folder "run-$([guid]::NewGuid().ToString('N'))")

    $lines = foreach ($account in $Bench.Accounts) {
        $target = $Bench.Targets[$account.Target]
        $secrets = Join-Path $Bench.RunFolder "$($account.Target)-$($account.UserName)"
        [IO.File]::WriteAllLines($secrets, [string[]]@($account.Password, (New-BenchPassword)))
        $target.Address, $target.Port, $account.UserName, $target.KnownHostsPath, $secrets -join ' '
    }
    $list = Join-Path $Bench.RunFolder 'accounts.list'
    [IO.File]::WriteAllLines($list, [string[]]@($lines))
    $list
}

function Stop-OnTargetBench {
    # Stops every target this process started; what they held goes with them.
    if (Get-Command -Name Stop-SshTarget -ErrorAction Ignore) {
        Stop-SshTarget -All
    }
}
