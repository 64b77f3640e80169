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
    [ValidateSet('Onboarding', 'Listing')]
    [string] $Figure,

    [Parameter(Mandatory)]
    [ValidateSet('PassMan', 'Baseline')]
    [string] $Side,

    [Parameter(Mandatory)]
    [string] $ModulePath,

    [Parameter(Mandatory)]
    [string] $ResultPath,

    # Onboarding: the CSV of accounts to import.
    [string] $CsvPath,

    # Onboarding, PassMan: the new vault to create; Listing, PassMan: the vault to list.
    [string] $VaultPath,

    # Onboarding, PassMan: how many targets to create before the import; Listing, Baseline: how many
    # target names the plain objects spread over.
    [int] $TargetCount,

    # Onboarding, Baseline: the compiled no-op cmdlet Skip-BenchAccount.
    [string] $BaselineAssemblyPath,

    # Listing, Baseline: how many plain objects to pipe.
    [int] $Count
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')

Import-Module $ModulePath

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
}

[pscustomobject]@{
    Seconds = $clock.Elapsed.TotalSeconds
    PeakMiB = $peak
    Count   = [long]$handled
} | ConvertTo-Json | Set-Content -LiteralPath $ResultPath
