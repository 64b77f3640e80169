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
  Startup     A whole pwsh process, from its spawn to its exit, timed by this script from outside:
              pwsh -NoProfile -c 'Import-Module PassMan; Get-PMAccount | Select-Object -First 1', with
              $env:PASSMAN_VAULT naming a key-file vault of -StartupAccounts accounts (a reset vault,
              built once, which the runs do not change) and the built module found by name on
              $env:PSModulePath.
              Baseline: pwsh -NoProfile -c 1, with the same environment.
  Memory      Peak resident memory of Get-PMAccount | Reset-PMCredential -ChangeOnTarget:$false -Generate
              -Confirm:$false, one row for each count in -MemoryAccounts (10,000 and 100,000). Every run
              gets its own copy of a reset vault built once per count; the reset figure's vault is used
              when the counts agree.
              Baseline: the same process doing nothing: PassMan imported and the run's copy of the vault
              opened, as the reset's process is before its pipeline. A bare pwsh (-NoProfile -c 1) is
              smaller still (the README gives its figure); it is not the baseline, since the memory of
              the module and of the open vault is paid before the first account and does not grow with
              the count.

Each run, warm-up included, is its own pwsh process: Measure-Run.ps1, which times the pipeline alone
and reads its peak resident set size, or for the start-up figure the command line itself, timed from
outside. For every figure and side there is one warm-up run, thrown away, then -Runs timed runs
(-ResetRuns for the reset, whose runs take seconds each; -StartupRuns and -MemoryRuns for those
figures), alternating PassMan and baseline so that drift in the machine's state touches both alike.
The table shows medians and the ratio PassMan/baseline. Nothing here asserts a time: the numbers are
for reading. -Figure chooses the figures to measure; the others are neither prepared nor run.

.EXAMPLE
dotnet pwsh ./build.ps1 Bench

.EXAMPLE
dotnet pwsh -NoProfile ./bench/Invoke-Benchmarks.ps1 -ModulePath ./out/PassMan -Runs 3

.EXAMPLE
dotnet pwsh -NoProfile ./bench/Invoke-Benchmarks.ps1 -Figure Startup, Memory -MemoryAccounts 10000

The start-up figure and the memory row of 10,000 accounts alone, in about two minutes.
#>
[CmdletBinding()]
param(
    # The built module; by default out/PassMan of this repository.
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/PassMan'),

    # Where results.md goes; by default out/bench of this repository.
    [string] $OutputPath = (Join-Path $PSScriptRoot '../out/bench'),

    # The figures to measure, by default all: Onboarding, Listing, Reset, OnTarget, Startup, Memory. Like
    # -MemoryAccounts, it takes a comma-separated list in one argument too, which is how pwsh -File
    # passes a list.
    [string[]] $Figure = @('Onboarding', 'Listing', 'Reset', 'OnTarget', 'Startup', 'Memory'),

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
    [int] $OnTargetParallelism = 8,

    # How many accounts the vault of the start-up figure holds.
    [ValidateRange(1, 10000000)]
    [int] $StartupAccounts = 10000,

    # Timed runs per side of the start-up figure; a run takes about a second. 0 leaves the figure out.
    [ValidateRange(0, 99)]
    [int] $StartupRuns = 7,

    # The account counts of the memory figure, a row each: whether the peak stays flat as they grow. A list,
    # or one comma-separated argument (-MemoryAccounts 10000,100000 under pwsh -File).
    [string[]] $MemoryAccounts = @('10000', '100000'),

    # Timed runs per side and row of the memory figure: a PassMan run at 100,000 accounts takes most of
    # a minute, and peak memory varies little between runs. 0 leaves the figure out.
    [ValidateRange(0, 99)]
    [int] $MemoryRuns = 3
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
    # -WholeProcess times a command line from outside (Measure-WholeProcess) instead of running
    # Measure-Run.ps1; such a run has no PeakMiB.
    param(
        [Parameter(Mandatory)] [string] $Figure,
        [Parameter(Mandatory)] [string] $Side,
        [Parameter(Mandatory)] [hashtable] $Parameters,
        [Parameter(Mandatory)] [long] $ExpectedCount,
        [Parameter(Mandatory)] [string] $Label,
        [switch] $WholeProcess
    )

    if ($WholeProcess) {
        $result = Measure-WholeProcess @Parameters
    }
    else {
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
    }

    # A run that handled the wrong number of objects measured something else; its time is no figure.
    if ($result.Count -ne $ExpectedCount) {
        throw "$Figure/$Side handled $($result.Count) objects instead of $ExpectedCount."
    }
    $memory = if ($null -eq $result.PeakMiB) { '' } else { '{0,7:n0} MiB' -f $result.PeakMiB }
    Write-Host ('  {0,-10} {1,-10} {2,-9} {3,8:n3} s {4}' -f $Figure, $Side, $Label, $result.Seconds, $memory)
    $result
}

function Measure-WholeProcess {
    # One run of pwsh with -ArgumentList, timed from just before its spawn to its exit: starting the
    # runtime, loading assemblies and compiling code count, as they do for whoever types the command.
    # The output is read through a pipe, on either side alike. Count is 1 when the process exited 0 and
    # its output matched -Pattern, else 0; PeakMiB is null, since the process is gone when it could be
    # read.
    param(
        [Parameter(Mandatory)] [string[]] $ArgumentList,
        [Parameter(Mandatory)] [hashtable] $Environment,
        [Parameter(Mandatory)] [string] $Pattern
    )

    $pwsh = @(Get-PwshCommand)
    $start = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($argument in @($pwsh | Select-Object -Skip 1) + $ArgumentList) {
        $start.ArgumentList.Add($argument)
    }
    foreach ($name in $Environment.Keys) {
        $start.Environment[$name] = $Environment[$name]
    }
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true

    $clock = [Diagnostics.Stopwatch]::StartNew()
    $process = [Diagnostics.Process]::Start($start)
    $errors = $process.StandardError.ReadToEndAsync()
    $output = $process.StandardOutput.ReadToEnd()
    $process.WaitForExit()
    $clock.Stop()

    $matched = $process.ExitCode -eq 0 -and $output -match $Pattern
    if (-not $matched) {
        Write-Host "pwsh $($ArgumentList -join ' ') exited with $($process.ExitCode); its output:"
        Write-Host $output
        Write-Host $errors.GetAwaiter().GetResult()
    }
    $process.Dispose()
    [pscustomobject]@{
        Seconds = $clock.Elapsed.TotalSeconds
        PeakMiB = $null
        Count   = [long]$matched
    }
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
        [switch] $NoWarmUp,
        [switch] $WholeProcess
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
                -ExpectedCount $ExpectedCount -Label $label -WholeProcess:$WholeProcess
            if ($run -gt 0) {
                $results[$side].Add($result)
            }
        }
    }

    $medians = [ordered]@{ Runs = $RunCount }
    foreach ($side in $Sides.Keys) {
        $medians[$side] = [pscustomobject]@{
            Seconds = Get-Median $results[$side].Seconds
            MiB     = if (-not $WholeProcess) { Get-Median $results[$side].PeakMiB }
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

function Get-ResetVault {
    # The prepared vault of $Count accounts, each with a password, that New-ResetVault.ps1 builds: built
    # the first time a figure asks for that count, and then shared by every figure that asks for it, since
    # a build takes long (about half a minute for 100,000 accounts). Runs that change it copy it first.
    param([Parameter(Mandatory)] [int] $Count)

    if (-not $script:ResetVaults.ContainsKey($Count)) {
        $folder = Join-Path $Work "reset-$Count"
        $null = New-Item -ItemType Directory -Path $folder
        $csv = Join-Path $folder 'accounts.csv'
        New-BenchAccountCsv -Path $csv -Count $Count -TargetCount $TargetCount
        $prepared = Join-Path $folder 'prepared.db'
        Invoke-ChildScript -Name 'New-ResetVault.ps1' -Parameters @{
            ModulePath   = $ModulePath
            VaultPath    = (Join-Path $folder 'vault.db')
            PreparedPath = $prepared
            CsvPath      = $csv
            TargetCount  = $TargetCount
        }
        $script:ResetVaults[$Count] = $prepared
    }
    $script:ResetVaults[$Count]
}

function Format-TextTable {
    # Aligned columns as Format-Table draws them: the first left-aligned, the numbers right-aligned.
    # Drawn here rather than by Format-Table, whose width follows a console this process may not have.
    param([Parameter(Mandatory)] [object[]] $Rows)

    $columns = $Rows[0].PSObject.Properties.Name
    $widths = foreach ($column in $columns) {
        (@($Rows.$column) + $column | Measure-Object -Property Length -Maximum).Maximum
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
        [math]::Max(3, (@($Rows.$column) + $column | Measure-Object -Property Length -Maximum).Maximum)
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

function Split-ListArgument {
    # The items of a list parameter, whether given as a list or as one comma-separated argument.
    param([Parameter(Mandatory)] [AllowEmptyCollection()] [string[]] $Value)

    @($Value -split ',' | ForEach-Object Trim | Where-Object { $_ })
}

$figures = 'Onboarding', 'Listing', 'Reset', 'OnTarget', 'Startup', 'Memory'
$Figure = Split-ListArgument $Figure
foreach ($name in $Figure) {
    if ($name -notin $figures) {
        throw "-Figure '$name' is no figure of this bench; the figures are $($figures -join ', ')."
    }
}
$memoryCounts = foreach ($text in Split-ListArgument $MemoryAccounts) {
    $number = 0
    if (-not [int]::TryParse($text, [ref]$number) -or $number -lt 1 -or $number -gt 10000000) {
        throw "-MemoryAccounts '$text' is not an account count from 1 to 10,000,000."
    }
    $number
}

$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
if (-not (Test-Path -LiteralPath (Join-Path $ModulePath 'PassMan.psd1'))) {
    throw "No built PassMan at '$ModulePath'. Run: dotnet pwsh ./build.ps1 Build"
}
# The start-up figure imports the module by name, as an installed one is, from the folder above it.
if ('Startup' -in $Figure -and $StartupRuns -gt 0 -and (Split-Path -Leaf $ModulePath) -ne 'PassMan') {
    throw "The start-up figure imports PassMan by name, so its folder must be named PassMan, not '$ModulePath'."
}
$started = [Diagnostics.Stopwatch]::StartNew()
$script:RunCopy = $null
$script:ResetVaults = @{}
$Work = Join-Path ([IO.Path]::GetTempPath()) "passman-bench-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
$null = New-Item -ItemType Directory -Path $Work

try {
    # First, so that a machine without sqlite3 stops before anything long has run.
    $sqlite3 = if ('Reset' -in $Figure) { Get-Sqlite3Path }
    $onTargetSkip = if ('OnTarget' -notin $Figure) { $null }
    elseif ($OnTargetRuns -eq 0) { 'left out with -OnTargetRuns 0' }
    else { Get-OnTargetSkipReason }
    if ($onTargetSkip) {
        Write-Host "The on-target reset figure is skipped: $onTargetSkip."
    }

    Write-Host "Preparing the inputs in $Work"
    $onboarding = $listing = $reset = $onTarget = $startup = $null
    $memory = @()

    if ('Onboarding' -in $Figure) {
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
    }

    if ('Listing' -in $Figure) {
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
    }

    # The reset vaults are built here, before any timed run, once per account count.
    $resetPrepared = if ('Reset' -in $Figure) { Get-ResetVault -Count $ResetAccounts }
    $startupPrepared = if ('Startup' -in $Figure -and $StartupRuns -gt 0) { Get-ResetVault -Count $StartupAccounts }
    if ('Memory' -in $Figure -and $MemoryRuns -gt 0) {
        foreach ($count in $memoryCounts) {
            $null = Get-ResetVault -Count $count
        }
    }

    Write-Host 'Measuring (each line is one pwsh process; times are of the pipeline alone, unless said otherwise)'
    if ('Onboarding' -in $Figure) {
        $onboarding = Measure-Figure -Figure 'Onboarding' -ExpectedCount $OnboardingAccounts -Sides ([ordered]@{
                PassMan  = {
                    $folder = Join-Path $Work "onboarding-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
                    $null = New-Item -ItemType Directory -Path $folder
                    @{
                        CsvPath     = $onboardingCsv
                        VaultPath   = (Join-Path $folder 'vault.db')
                        TargetCount = $TargetCount
                    }
                }
                Baseline = { @{ CsvPath = $onboardingCsv; BaselineAssemblyPath = $baselineAssembly } }
            })
    }

    if ('Listing' -in $Figure) {
        $listing = Measure-Figure -Figure 'Listing' -ExpectedCount $ListingAccounts -Sides ([ordered]@{
                PassMan  = { @{ VaultPath = $listingVault } }
                Baseline = { @{ Count = $ListingAccounts; TargetCount = $TargetCount } }
            })
    }

    if ('Reset' -in $Figure) {
        # A reset changes its vault, so every run, on either side, gets a fresh copy of the prepared one,
        # made here outside the timed part.
        $newResetCopy = { @{ VaultPath = (New-RunVaultCopy -PreparedPath $resetPrepared); Count = $ResetAccounts } }
        $reset = Measure-Figure -Figure 'Reset' -ExpectedCount $ResetAccounts -RunCount $ResetRuns -Sides ([ordered]@{
                PassMan  = $newResetCopy
                Baseline = { (& $newResetCopy) + @{ Sqlite3Path = $sqlite3 } }
            })
    }

    if ($startupPrepared) {
        # Both sides start alike: the same pwsh, flags and environment, output to a pipe. A vault that
        # PASSMAN_VAULT names is opened without an unlock, and a listing needs no key, so nothing writes
        # to it: every run reads the prepared vault itself.
        $moduleFolder = Split-Path -Parent $ModulePath
        $modulePathVariable = $moduleFolder + [IO.Path]::PathSeparator + $env:PSModulePath
        $firstAccount = 'svc-{0:d6}' -f 1
        $startupCommand = 'Import-Module PassMan; Get-PMAccount | Select-Object -First 1'
        $startup = Measure-Figure -Figure 'Startup' -WholeProcess -ExpectedCount 1 -RunCount $StartupRuns `
            -Sides ([ordered]@{
                PassMan  = {
                    @{
                        ArgumentList = '-NoProfile', '-c', $startupCommand
                        Environment  = @{
                            PSModulePath  = $modulePathVariable
                            PASSMAN_VAULT = $startupPrepared
                        }
                        Pattern      = "\b$firstAccount\b"
                    }
                }
                Baseline = {
                    @{
                        ArgumentList = '-NoProfile', '-c', '1'
                        Environment  = @{ PSModulePath = $modulePathVariable }
                        Pattern      = '^\s*1\s*$'
                    }
                }
            })
    }

    if ('Memory' -in $Figure -and $MemoryRuns -gt 0) {
        # One row per count; the idle side opens the vault, which writes an audit entry, so it gets a copy too.
        $memory = foreach ($memoryCount in $memoryCounts) {
            $memoryPrepared = Get-ResetVault -Count $memoryCount
            $newMemoryCopy = { @{ VaultPath = (New-RunVaultCopy -PreparedPath $memoryPrepared); Count = $memoryCount } }
            $medians = Measure-Figure -Figure 'Memory' -ExpectedCount $memoryCount -RunCount $MemoryRuns `
                -Sides ([ordered]@{ PassMan = $newMemoryCopy; Baseline = $newMemoryCopy })
            [pscustomobject]@{ Count = $memoryCount; Medians = $medians }
        }
    }

    # Last, since it takes longest. The targets live as long as this process; before every run, on every
    # side, the users get their start passwords back, and PassMan a fresh copy of the vault that holds them.
    if ('OnTarget' -in $Figure -and -not $onTargetSkip) {
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
    $startupCount = '{0:n0}' -f $StartupAccounts
    $rows = @(
        if ($onboarding) {
            New-Row "Onboarding $onboarded accounts: time" $onboarding.PassMan.Seconds $onboarding.Baseline.Seconds 's'
            New-Row "Onboarding $onboarded accounts: peak memory" $onboarding.PassMan.MiB $onboarding.Baseline.MiB 'MiB'
        }
        if ($listing) {
            New-Row "Listing $listed accounts: time" $listing.PassMan.Seconds $listing.Baseline.Seconds 's'
            New-Row "Listing $listed accounts: peak memory" $listing.PassMan.MiB $listing.Baseline.MiB 'MiB'
        }
        if ($reset) {
            New-Row "Reset $resetCount passwords, vault only: time" $reset.PassMan.Seconds $reset.Baseline.Seconds `
                's' -RunCount $reset.Runs
            New-Row "Reset $resetCount passwords, vault only: peak memory" $reset.PassMan.MiB $reset.Baseline.MiB `
                'MiB' -RunCount $reset.Runs
        }
        if ($onTarget) {
            $figureName = "On-target reset of $OnTargetAccounts passwords on $OnTargetTargetCount local targets: time"
            New-Row "$figureName, vs ssh in a loop" $onTarget.PassMan.Seconds $onTarget.Sequential.Seconds 's' `
                -RunCount $onTarget.Runs -NoWarmUp
            New-Row "$figureName, vs ssh under xargs -P $OnTargetParallelism" $onTarget.PassMan.Seconds `
                $onTarget.Xargs.Seconds 's' -RunCount $onTarget.Runs -NoWarmUp
        }
        if ($startup) {
            New-Row "Start-up and first of $startupCount accounts: whole process" $startup.PassMan.Seconds `
                $startup.Baseline.Seconds 's' -RunCount $startup.Runs
        }
        foreach ($row in $memory) {
            New-Row ('Reset {0:n0} passwords, vault only: peak memory, vs idle' -f $row.Count) `
                $row.Medians.PassMan.MiB $row.Medians.Baseline.MiB 'MiB' -RunCount $row.Medians.Runs
        }
    )
    if (-not $rows) {
        throw 'No figure was measured: -Figure chose none that runs, or the runs of each chosen figure are 0.'
    }

    $pipelineFigures = @($onboarding, $listing, $reset, $onTarget) + $memory | Where-Object { $_ }
    $notes = @(
        if ($onboarding) {
            "Onboarding: Import-Csv | New-PMAccount into a fresh key-file vault with $TargetCount targets per run."
            'Onboarding baseline: Import-Csv | Skip-BenchAccount, a compiled no-op with the same parameter binding.'
        }
        if ($listing) {
            "Listing: Get-PMAccount | Measure-Object over one vault of $listed accounts."
            "Listing baseline: $listed pscustomobjects with an account's 12 properties, in memory, | Measure-Object."
        }
        if ($reset) {
            "Reset: Get-PMAccount | Reset-PMCredential -Generate -ChangeOnTarget:`$false -Force, $resetCount passwords."
            'Reset, both sides: each run has its own copy of one prepared vault, opened and checked before the clock.'
            ("Reset baseline (floor): Get-PMAccount | Out-Null, then sqlite3 updates $resetCount rows with " +
                'randomblob(64).')
            ('Reset baseline: the update is one transaction on the run''s copy, WAL and synchronous FULL as PassMan ' +
                'writes.')
        }
        if ($onTarget) {
            ("On-target: Get-PMAccount | Reset-PMCredential -Generate -Force, $OnTargetAccounts accounts on " +
                "$OnTargetTargetCount local sshd targets: passwd as the account, then a login with the new one.")
            ('On-target baselines: per account sshpass -e ssh ... passwd (old, new, new on stdin), then ' +
                "sshpass -e ssh ... true with the new one; in a bash loop, or under xargs -P $OnTargetParallelism.")
            'On-target, before every run on every side: start passwords restored with chpasswd, a fresh vault copy.'
        }
        elseif ($onTargetSkip) {
            "On-target reset: skipped, $onTargetSkip."
        }
        if ($startup) {
            ("Start-up: pwsh -NoProfile -c 'Import-Module PassMan; Get-PMAccount | Select-Object -First 1', " +
                "PASSMAN_VAULT a key-file vault of $startupCount accounts.")
            ('Start-up baseline: pwsh -NoProfile -c 1. Both timed from outside, spawn to exit, output to a pipe; ' +
                "medians of $StartupRuns run(s) per side after one warm-up run.")
        }
        if ($memory) {
            ("Memory: Get-PMAccount | Reset-PMCredential -ChangeOnTarget:`$false -Generate -Confirm:`$false, " +
                'each run on its own copy of a prepared vault.')
            ('Memory baseline (idle): the same process, PassMan imported and the copy opened, then nothing; ' +
                "medians of $MemoryRuns run(s) per side and row after one warm-up run.")
        }
        if ($onboarding -or $listing) {
            "Medians of $Runs runs per side after one warm-up run, unless said otherwise. Each run is a fresh pwsh."
        }
        if ($reset) {
            "Reset: $ResetRuns runs per side after one warm-up run."
        }
        if ($onTarget) {
            "On-target: $OnTargetRuns run(s) per side, no warm-up."
        }
        if ($pipelineFigures) {
            'Times are of the pipeline alone, its first call in the process included (JIT, opening the vault).'
            "Peak memory is the run's peak resident set size (VmHWM): the whole pwsh process."
        }
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
