<#
.SYNOPSIS
Measures PassMan against baselines and prints one table; also writes it to out/bench/results.md.

.DESCRIPTION
Figures:

  Onboarding  Import-Csv accounts.csv | New-PMAccount: accounts over targets made beforehand with
              New-PMTarget, into a fresh key-file vault per run.
              Baseline: Import-Csv accounts.csv | Skip-BenchAccount, a compiled no-op cmdlet.
  Listing     Get-PMAccount | Measure-Object over a vault built once, before any timed run.
              Baseline: as many plain objects (pscustomobject, twelve properties like an account)
              piped to Measure-Object.
  Reset       Get-PMAccount | Reset-PMCredential -Generate -ChangeOnTarget:$false -Force: a new
              generated password for every account, in the vault only. The vault, whose accounts each
              hold a password, is built once (New-ResetVault.ps1); every run, baseline runs too, gets
              its own copy of it, since a reset changes it.
              Baseline, the floor: Get-PMAccount | Out-Null over such a copy, then sqlite3 giving as
              many credential rows a random blob in one transaction, with the vault's journal_mode WAL
              and synchronous FULL. It needs the sqlite3 shell: when that is missing, the bench installs
              Debian's package sqlite3 with apt-get if it runs as root, and otherwise stops.
  OnTarget    Get-PMAccount | Reset-PMCredential -Generate -Force against real OpenSSH servers on this
              machine (tests/Targets, started once): -OnTargetAccounts accounts spread over
              -OnTargetTargetCount targets, each password changed by passwd as the account itself and
              then verified by a login with the new one. The vault, with the host keys pinned and every
              current password, is built once (New-OnTargetVault.ps1); every run gets its own copy.
              Baselines: the same two logins per account with the OpenSSH client (sshpass -e ssh),
              OnTargetBaseline.sh, in a sequential bash loop and under xargs -P -OnTargetParallelism.
              Before every run, on every side, each user's start password is restored with chpasswd.
              Needs root, sshd and sshpass (./build.ps1 Test installs them); without them the figure
              is skipped with a message. Its runs take minutes: -OnTargetRuns of them, no warm-up run.

Each run, warm-up included, is its own pwsh process (Measure-Run.ps1), which times the pipeline alone
and reads its peak resident set size. For every figure and side there is one warm-up run, thrown
away, then -Runs timed runs (-ResetRuns for the reset, whose runs take seconds each), alternating
PassMan and baseline so that drift in the machine's state touches both alike. The table shows
medians and the ratio PassMan/baseline. Nothing here asserts a time: the numbers are for reading.

.EXAMPLE
dotnet pwsh ./build.ps1 Bench

.EXAMPLE
dotnet pwsh -NoProfile ./bench/Invoke-Benchmarks.ps1 -ModulePath ./out/PassMan -Runs 3
#>
[CmdletBinding()]
param(
    # The built module; by default out/PassMan of this repository.
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/PassMan'),

    # Where results.md goes; by default out/bench of this repository.
    [string] $OutputPath = (Join-Path $PSScriptRoot '../out/bench'),

    # Timed runs per figure and side, after the warm-up run.
    [ValidateRange(1, 99)]
    [int] $Runs = 7,

    [ValidateRange(1, 10000000)]
    [int] $OnboardingAccounts = 10000,

    [ValidateRange(1, 10000000)]
    [int] $ListingAccounts = 100000,

    [ValidateRange(1, 10000000)]
    [int] $ResetAccounts = 10000,

    # Timed runs per side of the reset figure: at 10,000 accounts a PassMan run takes seconds.
    [ValidateRange(1, 99)]
    [int] $ResetRuns = 5,

    [ValidateRange(1, 999)]
    [int] $TargetCount = 50,

    [ValidateRange(1, 100000)]
    [int] $OnTargetAccounts = 200,

    # Real SSH targets for the on-target figure; sshd-target has addresses for 253.
    [ValidateRange(1, 253)]
    [int] $OnTargetTargetCount = 4,

    # Timed runs per side of the on-target figure, with no warm-up run: a run takes minutes. 0 leaves
    # the figure out.
    [ValidateRange(0, 99)]
    [int] $OnTargetRuns = 1,

    # How many accounts the xargs baseline of the on-target figure changes at a time.
    [ValidateRange(1, 64)]
    [int] $OnTargetParallelism = 8
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')
. (Join-Path $PSScriptRoot 'OnTargetSetup.ps1')

function Get-PwshCommand {
    # How to start another pwsh like this one: its own executable, or dotnet with pwsh.dll when it
    # runs as the dotnet tool.
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return $process, (Join-Path $PSHOME 'pwsh.dll')
    }
    return , $process
}

function Get-Sqlite3Path {
    # The sqlite3 shell that the reset baseline runs. When it is missing, root on a machine with apt-get
    # installs Debian's package sqlite3; anyone else is told which package to install.
    $found = Get-Command -Name sqlite3 -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($found) {
        return $found.Source
    }

    $aptGet = Get-Command -Name apt-get -CommandType Application -ErrorAction Ignore
    $isRoot = ($IsLinux -or $IsMacOS) -and (& id -u) -eq '0'
    if (-not ($aptGet -and $isRoot)) {
        throw ('The reset baseline needs the sqlite3 command-line shell, which is not on PATH. Install the ' +
            'package sqlite3 (on Debian or Ubuntu: apt-get install sqlite3), then run the bench again.')
    }

    Write-Host 'sqlite3 is missing: installing the Debian package sqlite3 with apt-get (running as root).'
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get update -q | Out-Host
    if ($LASTEXITCODE -eq 0) {
        & apt-get install -y -q sqlite3 | Out-Host
    }
    $found = Get-Command -Name sqlite3 -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($LASTEXITCODE -ne 0 -or -not $found) {
        throw 'apt-get could not install the package sqlite3, which the reset baseline needs.'
    }
    $found.Source
}

function Invoke-ChildScript {
    # Runs a bench script in a fresh pwsh -NoProfile -NonInteractive; its output goes to the host.
    param(
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [hashtable] $Parameters
    )

    $pwsh = @(Get-PwshCommand)
    $prefix = @($pwsh | Select-Object -Skip 1)
    $arguments = foreach ($key in $Parameters.Keys) { "-$key"; [string]$Parameters[$key] }
    & $pwsh[0] @prefix -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot $Name) @arguments | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "$Name $($arguments -join ' ') failed with exit code $LASTEXITCODE."
    }
}

function Measure-Side {
    # One run of one side of a figure in its own process; returns its Seconds, PeakMiB and Count.
    param(
        [Parameter(Mandatory)] [string] $Figure,
        [Parameter(Mandatory)] [string] $Side,
        [Parameter(Mandatory)] [hashtable] $Parameters,
        [Parameter(Mandatory)] [long] $ExpectedCount,
        [Parameter(Mandatory)] [string] $Label
    )

    $resultPath = Join-Path $Work "result-$([guid]::NewGuid().ToString('N')).json"
    $all = $Parameters + @{
        Figure     = $Figure
        Side       = $Side
        ModulePath = $ModulePath
        ResultPath = $resultPath
    }
    Invoke-ChildScript -Name 'Measure-Run.ps1' -Parameters $all
    $result = Get-Content -LiteralPath $resultPath -Raw | ConvertFrom-Json
    Remove-Item -LiteralPath $resultPath

    # A run that handled the wrong number of objects measured something else; its time is no figure.
    if ($result.Count -ne $ExpectedCount) {
        throw "$Figure/$Side handled $($result.Count) objects instead of $ExpectedCount."
    }
    Write-Host ('  {0,-10} {1,-10} {2,-9} {3,8:n3} s {4,7:n0} MiB' -f
        $Figure, $Side, $Label, $result.Seconds, $result.PeakMiB)
    $result
}

function Measure-Figure {
    # The warm-up run of each side (unless -NoWarmUp), then $RunCount runs of each, alternating;
    # returns the medians, side by side in the order given. -Sides maps each side's name to a script
    # block, called once per run, that returns its parameters: a run that changes its vault needs a
    # vault of its own.
    param(
        [Parameter(Mandatory)] [string] $Figure,
        [Parameter(Mandatory)] [Collections.Specialized.OrderedDictionary] $Sides,
        [Parameter(Mandatory)] [long] $ExpectedCount,
        [int] $RunCount = $Runs,
        [switch] $NoWarmUp
    )

    $results = [ordered]@{}
    foreach ($side in $Sides.Keys) {
        $results[$side] = [Collections.Generic.List[object]]::new()
    }
    for ($run = [int][bool]$NoWarmUp; $run -le $RunCount; $run++) {
        $label = if ($run -eq 0) { 'warm-up' } else { "run $run/$RunCount" }
        foreach ($side in $Sides.Keys) {
            $parameters = & $Sides[$side]
            $result = Measure-Side -Figure $Figure -Side $side -Parameters $parameters `
                -ExpectedCount $ExpectedCount -Label $label
            if ($run -gt 0) {
                $results[$side].Add($result)
            }
        }
    }

    $medians = [ordered]@{ Runs = $RunCount }
    foreach ($side in $Sides.Keys) {
        $medians[$side] = [pscustomobject]@{
            Seconds = Get-Median $results[$side].Seconds
            MiB     = Get-Median $results[$side].PeakMiB
        }
    }
    [pscustomobject]$medians
}

function Get-Median {
    param([Parameter(Mandatory)] [double[]] $Values)

    $sorted = @($Values | Sort-Object)
    $middle = [math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) {
        return $sorted[$middle]
    }
    ($sorted[$middle - 1] + $sorted[$middle]) / 2
}

function New-Row {
    param(
        [Parameter(Mandatory)] [string] $Figure,
        [Parameter(Mandatory)] [double] $PassMan,
        [Parameter(Mandatory)] [double] $Baseline,
        [Parameter(Mandatory)] [ValidateSet('s', 'MiB')] [string] $Unit,
        [int] $RunCount = $Runs,
        [switch] $NoWarmUp
    )

    $format = if ($Unit -eq 's') { '{0:n3} s' } else { '{0:n0} MiB' }
    [pscustomobject]@{
        Figure             = $Figure
        PassMan            = $format -f $PassMan
        Baseline           = $format -f $Baseline
        'PassMan/baseline' = '{0:n2}' -f ($PassMan / $Baseline)
        Runs               = if ($NoWarmUp) { "$RunCount, no warm-up" } else { "$RunCount + 1 warm-up" }
    }
}

function New-RunVaultCopy {
    # A run's own copy of a prepared vault, in a folder of its own under $Work: a plain copy of a closed
    # file at a new path, naming the prepared vault's key file by its absolute path. The previous run's
    # copy goes, so only one is on disk at a time. Returns the copy's path.
    param([Parameter(Mandatory)] [string] $PreparedPath)

    if ($script:RunCopy) {
        Remove-Item -LiteralPath (Split-Path -Parent $script:RunCopy) -Recurse -Force
    }
    $folder = Join-Path $Work "run-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $folder
    $script:RunCopy = Join-Path $folder 'vault.db'
    Copy-Item -LiteralPath $PreparedPath -Destination $script:RunCopy
    $script:RunCopy
}

function Format-TextTable {
    # Aligned columns as Format-Table draws them: the first left-aligned, the numbers right-aligned.
    # Drawn here rather than by Format-Table, whose width follows a console this process may not have.
    param([Parameter(Mandatory)] [object[]] $Rows)

    $columns = $Rows[0].PSObject.Properties.Name
    $widths = foreach ($column in $columns) {
        ($Rows.$column + $column | Measure-Object -Property Length -Maximum).Maximum
    }
    $line = {
        param($cells)
        $padded = for ($i = 0; $i -lt $columns.Count; $i++) {
            if ($i -eq 0) { $cells[$i].PadRight($widths[$i]) } else { $cells[$i].PadLeft($widths[$i]) }
        }
        ($padded -join '  ').TrimEnd()
    }
    & $line $columns
    & $line @(foreach ($width in $widths) { '-' * $width })
    foreach ($row in $Rows) {
        & $line @(foreach ($column in $columns) { $row.$column })
    }
}

function Format-MarkdownTable {
    param([Parameter(Mandatory)] [object[]] $Rows)

    $columns = $Rows[0].PSObject.Properties.Name
    $widths = foreach ($column in $columns) {
        [math]::Max(3, ($Rows.$column + $column | Measure-Object -Property Length -Maximum).Maximum)
    }
    $line = {
        param($cells)
        $padded = for ($i = 0; $i -lt $columns.Count; $i++) {
            if ($i -eq 0) { $cells[$i].PadRight($widths[$i]) } else { $cells[$i].PadLeft($widths[$i]) }
        }
        "| $($padded -join ' | ') |"
    }
    & $line $columns
    & $line @(for ($i = 0; $i -lt $columns.Count; $i++) {
            if ($i -eq 0) { ':' + '-' * ($widths[$i] - 1) } else { '-' * ($widths[$i] - 1) + ':' }
        })
    foreach ($row in $Rows) {
        & $line @(foreach ($column in $columns) { $row.$column })
    }
}

$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
if (-not (Test-Path -LiteralPath (Join-Path $ModulePath 'PassMan.psd1'))) {
    throw "No built PassMan at '$ModulePath'. Run: dotnet pwsh ./build.ps1 Build"
}
$started = [Diagnostics.Stopwatch]::StartNew()
$script:RunCopy = $null
$Work = Join-Path ([IO.Path]::GetTempPath()) "passman-bench-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
$null = New-Item -ItemType Directory -Path $Work

try {
    # First, so that a machine without sqlite3 stops before anything long has run.
    $sqlite3 = Get-Sqlite3Path
    $onTargetSkip = if ($OnTargetRuns -eq 0) { 'left out with -OnTargetRuns 0' } else { Get-OnTargetSkipReason }
    if ($onTargetSkip) {
        Write-Host "The on-target reset figure is skipped: $onTargetSkip."
    }

    Write-Host "Preparing the inputs in $Work"

    # The onboarding baseline. Import-Csv into a no-op *compiled* cmdlet that declares New-PMAccount's
    # parameters with the same by-property-name binding: each row is parsed and bound exactly as it is
    # for New-PMAccount, so what PassMan takes beyond it is PassMan's own work (checks, SQL, audit
    # entries, commits, the Account objects it writes). The other candidates measure something else:
    # a no-op advanced function adds a script block call per row that New-PMAccount, being compiled,
    # does not pay, so the baseline would be slower and PassMan would look better than it is; and
    # Select-Object -Property * binds no parameters but copies every row into a new object.
    $baselineAssembly = Join-Path $Work 'PassMan.Bench.dll'
    Add-Type -Path (Join-Path $PSScriptRoot 'SkipBenchAccountCommand.cs') -OutputAssembly $baselineAssembly `
        -OutputType Library

    $onboardingCsv = Join-Path $Work 'onboarding.csv'
    New-BenchAccountCsv -Path $onboardingCsv -Count $OnboardingAccounts -TargetCount $TargetCount
    $listingCsv = Join-Path $Work 'listing.csv'
    New-BenchAccountCsv -Path $listingCsv -Count $ListingAccounts -TargetCount $TargetCount
    $listingVault = Join-Path $Work 'listing/vault.db'
    $null = New-Item -ItemType Directory -Path (Split-Path $listingVault)
    Invoke-ChildScript -Name 'New-ListingVault.ps1' -Parameters @{
        ModulePath  = $ModulePath
        VaultPath   = $listingVault
        CsvPath     = $listingCsv
        TargetCount = $TargetCount
    }

    $resetCsv = Join-Path $Work 'reset.csv'
    New-BenchAccountCsv -Path $resetCsv -Count $ResetAccounts -TargetCount $TargetCount
    $resetFolder = Join-Path $Work 'reset'
    $resetPrepared = Join-Path $resetFolder 'prepared.db'
    $null = New-Item -ItemType Directory -Path $resetFolder
    Invoke-ChildScript -Name 'New-ResetVault.ps1' -Parameters @{
        ModulePath   = $ModulePath
        VaultPath    = (Join-Path $resetFolder 'vault.db')
        PreparedPath = $resetPrepared
        CsvPath      = $resetCsv
        TargetCount  = $TargetCount
    }

    Write-Host 'Measuring (each line is one pwsh process; times are of the pipeline alone)'
    $onboarding = Measure-Figure -Figure 'Onboarding' -ExpectedCount $OnboardingAccounts -Sides ([ordered]@{
            PassMan  = {
                $folder = Join-Path $Work "onboarding-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
                $null = New-Item -ItemType Directory -Path $folder
                @{ CsvPath = $onboardingCsv; VaultPath = (Join-Path $folder 'vault.db'); TargetCount = $TargetCount }
            }
            Baseline = { @{ CsvPath = $onboardingCsv; BaselineAssemblyPath = $baselineAssembly } }
        })

    $listing = Measure-Figure -Figure 'Listing' -ExpectedCount $ListingAccounts -Sides ([ordered]@{
            PassMan  = { @{ VaultPath = $listingVault } }
            Baseline = { @{ Count = $ListingAccounts; TargetCount = $TargetCount } }
        })

    # A reset changes its vault, so every run, on either side, gets a fresh copy of the prepared one, made
    # here outside the timed part.
    $newResetCopy = { @{ VaultPath = (New-RunVaultCopy -PreparedPath $resetPrepared); Count = $ResetAccounts } }
    $reset = Measure-Figure -Figure 'Reset' -ExpectedCount $ResetAccounts -RunCount $ResetRuns -Sides ([ordered]@{
            PassMan  = $newResetCopy
            Baseline = { (& $newResetCopy) + @{ Sqlite3Path = $sqlite3 } }
        })

    # Last, since it takes longest. The targets live as long as this process; before every run, on every
    # side, the users get their start passwords back, and PassMan a fresh copy of the vault that holds them.
    $onTarget = $null
    if (-not $onTargetSkip) {
        Write-Host "Starting $OnTargetTargetCount SSH targets with $OnTargetAccounts users for the on-target reset"
        $onTargetBench = Start-OnTargetBench -Folder (Join-Path $Work 'on-target') -TargetCount $OnTargetTargetCount `
            -AccountCount $OnTargetAccounts
        $onTargetPrepared = Join-Path $onTargetBench.Folder 'prepared.db'
        Invoke-ChildScript -Name 'New-OnTargetVault.ps1' -Parameters @{
            ModulePath   = $ModulePath
            VaultPath    = (Join-Path $onTargetBench.Folder 'vault.db')
            PreparedPath = $onTargetPrepared
            AccountsPath = $onTargetBench.AccountsPath
        }
        $onTarget = Measure-Figure -Figure 'OnTarget' -ExpectedCount $OnTargetAccounts -RunCount $OnTargetRuns `
            -NoWarmUp -Sides ([ordered]@{
                PassMan    = {
                    Restore-OnTargetPassword -Bench $onTargetBench
                    @{ VaultPath = (New-RunVaultCopy -PreparedPath $onTargetPrepared); Count = $OnTargetAccounts }
                }
                Sequential = {
                    Restore-OnTargetPassword -Bench $onTargetBench
                    @{ AccountListPath = (New-OnTargetBaselineInput -Bench $onTargetBench) }
                }
                Xargs      = {
                    Restore-OnTargetPassword -Bench $onTargetBench
                    @{
                        AccountListPath = (New-OnTargetBaselineInput -Bench $onTargetBench)
                        Parallelism     = $OnTargetParallelism
                    }
                }
            })
    }

    $onboarded = '{0:n0}' -f $OnboardingAccounts
    $listed = '{0:n0}' -f $ListingAccounts
    $resetCount = '{0:n0}' -f $ResetAccounts
    $rows = @(
        New-Row "Onboarding $onboarded accounts: time" $onboarding.PassMan.Seconds $onboarding.Baseline.Seconds 's'
        New-Row "Onboarding $onboarded accounts: peak memory" $onboarding.PassMan.MiB $onboarding.Baseline.MiB 'MiB'
        New-Row "Listing $listed accounts: time" $listing.PassMan.Seconds $listing.Baseline.Seconds 's'
        New-Row "Listing $listed accounts: peak memory" $listing.PassMan.MiB $listing.Baseline.MiB 'MiB'
        New-Row "Reset $resetCount passwords, vault only: time" $reset.PassMan.Seconds $reset.Baseline.Seconds 's' `
            -RunCount $reset.Runs
        New-Row "Reset $resetCount passwords, vault only: peak memory" $reset.PassMan.MiB $reset.Baseline.MiB 'MiB' `
            -RunCount $reset.Runs
        if ($onTarget) {
            $figure = "On-target reset of $OnTargetAccounts passwords on $OnTargetTargetCount local targets: time"
            New-Row "$figure, vs ssh in a loop" $onTarget.PassMan.Seconds $onTarget.Sequential.Seconds 's' `
                -RunCount $onTarget.Runs -NoWarmUp
            New-Row "$figure, vs ssh under xargs -P $OnTargetParallelism" $onTarget.PassMan.Seconds `
                $onTarget.Xargs.Seconds 's' -RunCount $onTarget.Runs -NoWarmUp
        }
    )
    $onTargetRunsNote = if ($onTarget) { "; on-target $OnTargetRuns run(s) per side, no warm-up" }
    $notes = @(
        "Onboarding: Import-Csv | New-PMAccount into a fresh key-file vault with $TargetCount targets per run."
        'Onboarding baseline: Import-Csv | Skip-BenchAccount, a compiled no-op with the same parameter binding.'
        "Listing: Get-PMAccount | Measure-Object over one vault of $listed accounts."
        "Listing baseline: $listed pscustomobjects with an account's 12 properties, in memory, | Measure-Object."
        "Reset: Get-PMAccount | Reset-PMCredential -Generate -ChangeOnTarget:`$false -Force, $resetCount passwords."
        'Reset, both sides: each run has its own copy of one prepared vault, opened and checked before the clock.'
        "Reset baseline (floor): Get-PMAccount | Out-Null, then sqlite3 updates $resetCount rows with randomblob(64)."
        "Reset baseline: the update is one transaction on the run's copy, WAL and synchronous FULL as PassMan writes."
        if ($onTarget) {
            ("On-target: Get-PMAccount | Reset-PMCredential -Generate -Force, $OnTargetAccounts accounts on " +
                "$OnTargetTargetCount local sshd targets: passwd as the account, then a login with the new one.")
            ('On-target baselines: per account sshpass -e ssh ... passwd (old, new, new on stdin), then ' +
                "sshpass -e ssh ... true with the new one; in a bash loop, or under xargs -P $OnTargetParallelism.")
            'On-target, before every run on every side: start passwords restored with chpasswd, a fresh vault copy.'
        }
        else {
            "On-target reset: skipped, $onTargetSkip."
        }
        ("Medians of $Runs runs per side, $ResetRuns for the reset, after one warm-up run$onTargetRunsNote. " +
            'Each run is a fresh pwsh.')
        'Times are of the pipeline alone, its first call in the process included (JIT, opening the vault).'
        "Peak memory is the run's peak resident set size (VmHWM): the whole pwsh process."
        ('Measured {0:yyyy-MM-dd} on {1}, {2} cores, PowerShell {3}.' -f [datetime]::UtcNow,
            [Runtime.InteropServices.RuntimeInformation]::OSDescription, [Environment]::ProcessorCount,
            $PSVersionTable.PSVersion)
    )

    Write-Host ''
    Format-TextTable -Rows $rows | Out-Host
    Write-Host ''
    $notes | ForEach-Object { "- $_" } | Out-Host

    $null = New-Item -ItemType Directory -Path $OutputPath -Force
    $markdown = Join-Path $OutputPath 'results.md'
    @(Format-MarkdownTable -Rows $rows) + '' + @($notes | ForEach-Object { "- $_" }) |
        Set-Content -LiteralPath $markdown
    Write-Host ''
    Write-Host ('Wrote {0} ({1:n0} s in all)' -f (Resolve-Path -LiteralPath $markdown), $started.Elapsed.TotalSeconds)
}
finally {
    Stop-OnTargetBench
    Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction SilentlyContinue
}
