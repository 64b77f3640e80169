<#
.SYNOPSIS
One timed run of one benchmark figure, alone in its own pwsh process.

.DESCRIPTION
Invoke-Benchmarks.ps1 starts this script once per run, so that the peak resident set size belongs to
that run alone. Only the pipeline under test is timed: starting pwsh, importing the modules and
preparing the input are not. The result goes to -ResultPath as JSON: Seconds; PeakMiB, the process's
peak resident set size when the clock stops; and Count, the number of objects the run handled, which
the caller checks.

Every run imports PassMan, the baseline runs too, so that loading the module is a cost both sides
share and the difference between them is the work itself.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [ValidateSet('Onboarding', 'Listing', 'Reset', 'OnTarget', 'Memory')]
    [string] $Figure,

    # PassMan or Baseline; the on-target figure has two baselines, Sequential and Xargs.
    [Parameter(Mandatory)]
    [ValidateSet('PassMan', 'Baseline', 'Sequential', 'Xargs')]
    [string] $Side,

    [Parameter(Mandatory)]
    [string] $ModulePath,

    [Parameter(Mandatory)]
    [string] $ResultPath,

    # Onboarding: the CSV of accounts to import.
    [string] $CsvPath,

    # Onboarding, PassMan: the new vault to create; Listing, PassMan: the vault to list; Reset and
    # Memory, both sides, and OnTarget, PassMan: this run's own copy of the prepared vault.
    [string] $VaultPath,

    # Onboarding, PassMan: how many targets to create before the import; Listing, Baseline: how many
    # target names the plain objects spread over.
    [int] $TargetCount,

    # Onboarding, Baseline: the compiled no-op cmdlet Skip-BenchAccount.
    [string] $BaselineAssemblyPath,

    # Listing, Baseline: how many plain objects to pipe; Reset, Memory and OnTarget: how many passwords
    # the vault holds.
    [int] $Count,

    # Reset, Baseline: the sqlite3 command-line shell.
    [string] $Sqlite3Path,

    # OnTarget, Sequential and Xargs: the accounts for OnTargetBaseline.sh, one a line.
    [string] $AccountListPath,

    # OnTarget, Xargs: how many accounts xargs changes at a time.
    [int] $Parallelism
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')

Import-Module $ModulePath

function Open-BenchCopy {
    # Makes a run's copy of the prepared vault this session's vault, before the clock starts, and
    # stops unless it opened with the key file and holds the $Count passwords: a reset must not run
    # on any other vault, and a copy that does not open measures nothing.
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [int] $Count
    )

    $vault = Unlock-PMVault -Path $Path -PassThru
    if ($vault.IsLocked -or $vault.CredentialCount -ne $Count) {
        throw "The copy '$Path' did not open with its key file, or does not hold $Count credentials."
    }
}

switch ("$Figure/$Side") {
    'Onboarding/PassMan' {
        $null = New-PMVault -Path $VaultPath
        New-BenchTarget -TargetCount $TargetCount

        $clock = Start-BenchClock
        $null = Import-Csv -LiteralPath $CsvPath | New-PMAccount
        $clock.Stop()
        $peak = Get-PeakMemoryMiB

        $handled = (Get-PMVault).AccountCount
    }
    'Onboarding/Baseline' {
        Import-Module $BaselineAssemblyPath

        $clock = Start-BenchClock
        $null = Import-Csv -LiteralPath $CsvPath | Skip-BenchAccount
        $clock.Stop()
        $peak = Get-PeakMemoryMiB

        $handled = [PassMan.Bench.SkipBenchAccountCommand]::Records
    }
    'Listing/PassMan' {
        # A fresh process finds its vault the way a runbook does; the first command opens it.
        $env:PASSMAN_VAULT = $VaultPath

        $clock = Start-BenchClock
        $handled = (Get-PMAccount | Measure-Object).Count
        $clock.Stop()
        $peak = Get-PeakMemoryMiB
    }
    'Listing/Baseline' {
        # Objects with an account's twelve properties and similar values, made before the clock starts.
        # They are all in memory at once, whereas Get-PMAccount streams from the vault: the memory row
        # compares a listing with holding as many plain objects.
        $created = [DateTimeOffset]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ')
        $targets = foreach ($number in 1..$TargetCount) { Get-BenchTargetName -Number $number }
        $objects = [Collections.Generic.List[object]]::new($Count)
        for ($i = 1; $i -le $Count; $i++) {
            $objects.Add([pscustomobject]@{
                    Id               = [guid]::NewGuid()
                    TargetId         = [guid]::NewGuid()
                    Target           = $targets[$i % $TargetCount]
                    UserName         = 'svc-{0:d6}' -f $i
                    Status           = 'Unknown'
                    Credentials      = ''
                    Policy           = 'Default'
                    ReconcileAccount = $null
                    Description      = "Service account $i onboarded by the benchmark"
                    LastChanged      = $null
                    LastVerified     = $null
                    Created          = $created
                })
        }

        $clock = Start-BenchClock
        $handled = ($objects | Measure-Object).Count
        $clock.Stop()
        $peak = Get-PeakMemoryMiB
    }
    'Reset/PassMan' {
        Open-BenchCopy -Path $VaultPath -Count $Count

        $clock = Start-BenchClock
        Get-PMAccount | Reset-PMCredential -Generate -ChangeOnTarget:$false -Force
        $clock.Stop()
        $peak = Get-PeakMemoryMiB

        # Every password was Unknown; a vault-only reset leaves it NotInSync. A reset that failed has
        # stopped this script already (errors stop it), so these are the resets that were reported durable.
        $handled = (Get-PMAccount -Status NotInSync | Measure-Object).Count
    }
    'Reset/Baseline' {
        # The floor: the same accounts streamed to nothing, then as many rows as there are passwords
        # given a new random blob in one durable transaction, with the vault's journal mode and
        # synchronous setting. The UPDATE runs on this run's copy of the vault, on the credential rows
        # a reset rewrites. Starting sqlite3 is timed too; its memory is its own process's, not counted.
        Open-BenchCopy -Path $VaultPath -Count $Count
        $sql = 'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; BEGIN; ' +
            "UPDATE credentials SET secret = randomblob(64) WHERE credential_type = 'Password'; " +
            'SELECT changes(); COMMIT;'

        $clock = Start-BenchClock
        Get-PMAccount | Out-Null
        $output = & $Sqlite3Path -batch -cmd '.timeout 10000' $VaultPath $sql
        $exitCode = $LASTEXITCODE
        $clock.Stop()
        $peak = Get-PeakMemoryMiB

        if ($exitCode -ne 0) {
            throw "sqlite3 failed with exit code $exitCode."
        }
        $handled = [long]@($output)[-1]
    }
    'Memory/PassMan' {
        Open-BenchCopy -Path $VaultPath -Count $Count

        # As an admin would type it; -Confirm:$false rather than the reset figure's -Force.
        $clock = Start-BenchClock
        Get-PMAccount | Reset-PMCredential -ChangeOnTarget:$false -Generate -Confirm:$false
        $clock.Stop()
        $peak = Get-PeakMemoryMiB

        $handled = (Get-PMAccount -Status NotInSync | Measure-Object).Count
    }
    'Memory/Baseline' {
        # The same process up to the pipeline, PassMan imported and this run's copy of the vault open,
        # and then nothing: what the reset adds to it is the reset's own memory.
        Open-BenchCopy -Path $VaultPath -Count $Count

        $clock = Start-BenchClock
        $clock.Stop()
        $peak = Get-PeakMemoryMiB

        $handled = (Get-PMVault).CredentialCount
    }
    'OnTarget/PassMan' {
        Open-BenchCopy -Path $VaultPath -Count $Count

        # No -ThrottleLimit: the reset runs as PassMan does by default, whether that is one account
        # after another or several at a time.
        $clock = Start-BenchClock
        Get-PMAccount | Reset-PMCredential -Generate -Force
        $clock.Stop()
        $peak = Get-PeakMemoryMiB

        # A change on the target is stored only once the new password has logged in; a failed one has
        # stopped this script already (errors stop it).
        $handled = (Get-PMAccount -Status InSync | Measure-Object).Count
    }
    { $_ -in 'OnTarget/Sequential', 'OnTarget/Xargs' } {
        # The same changes with the OpenSSH client, per account a login that runs passwd and a login
        # with the new password. The ssh processes' memory is their own, not counted here.
        $script = Join-Path $PSScriptRoot 'OnTargetBaseline.sh'
        $mode = @(if ($Side -eq 'Xargs') { 'parallel', [string]$Parallelism } else { 'sequential' })

        $clock = Start-BenchClock
        $output = & /bin/bash $script @mode $AccountListPath
        $exitCode = $LASTEXITCODE
        $clock.Stop()
        $peak = Get-PeakMemoryMiB

        if ($exitCode -ne 0) {
            throw "OnTargetBaseline.sh $($mode -join ' ') failed with exit code $exitCode; see its messages above."
        }
        $handled = @($output | Where-Object { $_ -like 'ok *' }).Count
    }
}

[pscustomobject]@{
    Seconds = $clock.Elapsed.TotalSeconds
    PeakMiB = $peak
    Count   = [long]$handled
} | ConvertTo-Json | Set-Content -LiteralPath $ResultPath
