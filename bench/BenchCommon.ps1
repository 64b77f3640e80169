# What the benchmark's parent script and its child runs share. Dot-source it.

function Get-BenchTargetName {
    # The name of target number $Number (1-based), the same in the CSV files and in the vaults.
    param([Parameter(Mandatory)] [int] $Number)
    'target-{0:d3}' -f $Number
}

function New-BenchAccountCsv {
    # Writes a CSV of $Count accounts spread round-robin over $TargetCount targets, as
    # Import-Csv | New-PMAccount onboards them: columns Target, UserName, Description.
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [int] $Count,
        [Parameter(Mandatory)] [int] $TargetCount
    )

    $lines = [string[]]::new($Count + 1)
    $lines[0] = 'Target,UserName,Description'
    for ($i = 1; $i -le $Count; $i++) {
        $target = Get-BenchTargetName -Number (($i - 1) % $TargetCount + 1)
        $lines[$i] = '{0},svc-{1:d6},Service account {1} onboarded by the benchmark' -f $target, $i
    }
    [IO.File]::WriteAllLines($Path, $lines)
}

function New-BenchTarget {
    # Creates the targets the CSV files name, in the vault open in this session.
    param([Parameter(Mandatory)] [int] $TargetCount)

    for ($i = 1; $i -le $TargetCount; $i++) {
        $name = Get-BenchTargetName -Number $i
        $null = New-PMTarget -Name $name -HostName "$name.bench.example"
    }
}

function Save-PreparedVault {
    # Writes a consistent copy of the vault open in this session to $PreparedPath with Backup-PMVault,
    # for the timed runs to copy, and checks that a plain file copy of it at another path opens with
    # the vault's key file and holds every account and credential. Returns the key file's path.
    #
    # The key file is not copied: the copies name the original key file by its absolute path, as the
    # backup does.
    param([Parameter(Mandatory)] [string] $PreparedPath)

    # The backup warns that it needs the key file, which is known and kept: the warning is not shown.
    $backup = Backup-PMVault -Destination $PreparedPath -WarningAction SilentlyContinue
    $vault = Get-PMVault

    $check = Join-Path (Split-Path -Parent $backup.Path) 'check.db'
    Copy-Item -LiteralPath $backup.Path -Destination $check
    $copy = Unlock-PMVault -Path $check -PassThru
    if ($copy.IsLocked -or $copy.AccountCount -ne $vault.AccountCount -or
        $copy.CredentialCount -ne $vault.CredentialCount) {
        throw "A copy of '$($backup.Path)' did not open with its key file, or does not hold the vault's " +
            "$($vault.AccountCount) accounts and $($vault.CredentialCount) credentials."
    }
    $copy.KeyFilePath
}

function Start-BenchClock {
    # A running stopwatch, started after a full garbage collection, so that the garbage of the setup
    # is not collected on the timed run's account.
    [GC]::Collect()
    [GC]::WaitForPendingFinalizers()
    [GC]::Collect()
    [Diagnostics.Stopwatch]::StartNew()
}

function Get-PeakMemoryMiB {
    # The peak resident set size of this process so far, in MiB: VmHWM where /proc has it, else
    # what .NET reports as the peak working set.
    $status = '/proc/self/status'
    if (Test-Path -LiteralPath $status) {
        foreach ($line in Get-Content -LiteralPath $status) {
            if ($line -match '^VmHWM:\s+(\d+)\s+kB') {
                return [double]$Matches[1] / 1024
            }
        }
    }
    [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB
}
