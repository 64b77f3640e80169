#Requires -Version 7.4
<#
.SYNOPSIS
Builds, tests and demonstrates PassMan.

.DESCRIPTION
The one entry point for PassMan's build. Tasks:

  Build  Publishes the module into out/PassMan: cmdlets, engine, manifest, formats and help.
  Test   Builds, runs the engine's xunit tests, then the Pester tests against the built module in a
         fresh pwsh, and ends with one line counting both: "N passed, N failed".
  Demo   Builds and runs PassMan's main job end to end against a throwaway vault.
  Bench  Builds and runs the benchmarks in bench/: each figure against a baseline, as one table.
  Clean  Removes out/ and every bin/ and obj/ folder.

.EXAMPLE
dotnet tool restore && dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'PassMan'
$Staging = Join-Path $Out 'staging'

# The native SQLite builds shipped with the module; the package carries more than PowerShell 7 runs on.
$NativeRuntimes = 'linux-x64', 'linux-arm64', 'linux-musl-x64', 'linux-musl-arm64', 'osx-x64', 'osx-arm64',
    'win-x64', 'win-arm64'

function Invoke-Native {
    # A plain function, so that arguments such as -o reach the program instead of PowerShell's binder.
    $filePath, $argumentList = $args
    & $filePath @argumentList
    if ($LASTEXITCODE -ne 0) {
        throw "'$filePath $($argumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Get-PwshCommand {
    # This pwsh, whether it runs as its own executable or as the dotnet tool (dotnet pwsh.dll).
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return $process, (Join-Path $PSHOME 'pwsh.dll')
    }
    return , $process
}

function Invoke-Pwsh {
    param([Parameter(Mandatory)] [string[]] $ArgumentList)

    $pwsh = @(Get-PwshCommand)
    $prefix = @($pwsh | Select-Object -Skip 1)
    & $pwsh[0] @prefix -NoProfile -NonInteractive @ArgumentList | Out-Host
    $LASTEXITCODE
}

function Invoke-Build {
    Write-Host "Building PassMan ($Configuration) into $ModuleOut"
    Remove-Item -LiteralPath $ModuleOut, $Staging -Recurse -Force -ErrorAction SilentlyContinue

    $engine = Join-Path $Staging 'engine'
    $cmdlets = Join-Path $Staging 'cmdlets'
    $loader = Join-Path $Staging 'loader'
    Invoke-Native dotnet publish (Join-Path $Root 'src/PassMan.Engine/PassMan.Engine.csproj') `
        -c $Configuration -o $engine --nologo -v quiet
    Invoke-Native dotnet publish (Join-Path $Root 'src/PassMan/PassMan.csproj') `
        -c $Configuration -o $cmdlets --nologo -v quiet
    Invoke-Native dotnet publish (Join-Path $Root 'src/PassMan.Loader/PassMan.Loader.csproj') `
        -c $Configuration -o $loader --nologo -v quiet

    # The cmdlets load in PowerShell's own context; the engine and its dependencies in PassMan's,
    # from lib/, so that other modules' copies of the same libraries do not collide with them.
    $lib = Join-Path $ModuleOut 'lib'
    $null = New-Item -ItemType Directory -Path $lib -Force
    Copy-Item (Join-Path $cmdlets 'PassMan.dll'), (Join-Path $cmdlets 'PassMan.pdb') $ModuleOut
    Copy-Item (Join-Path $loader 'PassMan.Loader.dll'), (Join-Path $loader 'PassMan.Loader.pdb') $ModuleOut
    Get-ChildItem $engine -File | Where-Object Extension -In '.dll', '.pdb' | Copy-Item -Destination $lib
    foreach ($runtime in $NativeRuntimes) {
        $native = Join-Path $engine "runtimes/$runtime/native"
        if (Test-Path $native) {
            $target = Join-Path $lib "runtimes/$runtime/native"
            $null = New-Item -ItemType Directory -Path $target -Force
            Copy-Item "$native/*" $target
        }
    }

    Copy-Item (Join-Path $Root 'PassMan.psd1') $ModuleOut
    Copy-Item (Join-Path $Root 'src/PassMan/PassMan.Format.ps1xml') $ModuleOut
    Build-Help
    Write-Host "Built $ModuleOut"
}

function Build-Help {
    $docs = Join-Path $Root 'docs/en-US'
    $helpOut = Join-Path $ModuleOut 'en-US'
    $null = New-Item -ItemType Directory -Path $helpOut -Force

    # In a child process: the build must not load the binary module into itself.
    $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$(Join-Path $Root 'tools/HelpCompiler.psm1')'
Import-Module '$ModuleOut'
Export-MamlHelp -ModuleName PassMan -DocsPath '$docs' -OutputPath '$(Join-Path $helpOut 'PassMan.dll-Help.xml')'
Get-ChildItem '$docs' -Filter 'about_*.md' | ForEach-Object {
    Export-AboutHelp -Path `$_.FullName -OutputPath (Join-Path '$helpOut' (`$_.BaseName + '.help.txt'))
}
"@
    if ((Invoke-Pwsh -ArgumentList '-Command', $script) -ne 0) {
        throw 'Building the help failed.'
    }
}

function Restore-TestModules {
    $modules = Join-Path $Out 'modules'
    Invoke-Native dotnet restore (Join-Path $Root 'tests/Modules/Modules.csproj') --packages $modules --nologo -v quiet
    $pester = Join-Path $modules 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $pester)) {
        throw "The restore did not bring Pester to $pester."
    }
    $pester
}

function Invoke-EngineTests {
    $results = Join-Path $Out 'test-results'
    $trx = Join-Path $results 'engine.trx'
    Remove-Item -LiteralPath $trx -ErrorAction SilentlyContinue
    dotnet test (Join-Path $Root 'tests/PassMan.Engine.Tests/PassMan.Engine.Tests.csproj') -c $Configuration `
        --nologo --logger "trx;LogFileName=$trx" --logger 'console;verbosity=normal' | Out-Host
    $exitCode = $LASTEXITCODE

    if (-not (Test-Path $trx)) {
        Write-Host "The xunit run wrote no results (exit code $exitCode)." -ForegroundColor Red
        return @{ Passed = 0; Failed = 1 }
    }
    $counters = ([xml](Get-Content -LiteralPath $trx -Raw)).TestRun.ResultSummary.Counters
    $count = { param($name) [int]$counters.GetAttribute($name) }
    $failed = (& $count failed) + (& $count error) + (& $count timeout) + (& $count aborted)
    if ($exitCode -ne 0 -and $failed -eq 0) { $failed = 1 }
    @{ Passed = (& $count passed); Failed = $failed }
}

function Invoke-ModuleTests {
    param([Parameter(Mandatory)] [string] $PesterPath)

    $summary = Join-Path $Out 'test-results/pester.json'
    Remove-Item -LiteralPath $summary -ErrorAction SilentlyContinue
    $runner = Join-Path $Root 'tests/Invoke-ModuleTests.ps1'
    $exitCode = Invoke-Pwsh -ArgumentList '-File', $runner, '-PesterPath', $PesterPath, '-ModulePath', $ModuleOut,
        '-SummaryPath', $summary

    if (-not (Test-Path $summary)) {
        Write-Host "The Pester run wrote no results (exit code $exitCode)." -ForegroundColor Red
        return @{ Passed = 0; Failed = 1 }
    }
    $counts = Get-Content -LiteralPath $summary -Raw | ConvertFrom-Json
    $failed = [int]$counts.Failed
    if ($exitCode -ne 0 -and $failed -eq 0) { $failed = 1 }
    @{ Passed = [int]$counts.Passed; Failed = $failed }
}

function Install-TestPrerequisite {
    # The programs the suites drive, and the Debian package of each. sshd is looked for where Debian
    # puts it, since /usr/sbin is not on every PATH.
    $required = [ordered]@{
        tmux = 'tmux'; 'ssh-keygen' = 'openssh-client'; '/usr/sbin/sshd' = 'openssh-server'; sudo = 'sudo'
        sshpass = 'sshpass'
    }
    $missing = @($required.Keys |
        Where-Object { -not (Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue) } |
        ForEach-Object { $required[$_] })
    if ($missing.Count -eq 0) { return }

    $canInstall = $IsLinux -and (Get-Command apt-get -ErrorAction SilentlyContinue) -and ((id -u) -eq '0')
    if (-not $canInstall) {
        $list = $missing -join ', '
        throw "The tests need the packages $list. Install them (apt-get install $missing) and run again."
    }
    Write-Host "Installing the packages $($missing -join ', ') for the tests (apt-get, as root)"
    Invoke-Native apt-get update -qq
    Install-DebianPackage $missing
}

function Install-DebianPackage {
    # Installing openssh-server would start the machine's own sshd; Debian's maintainer scripts ask
    # /usr/sbin/policy-rc.d first, and exit code 101 forbids it. A policy that is there already is
    # the machine's and stays as it is; one made here is removed afterwards.
    param(
        [Parameter(Mandatory)] [string[]] $Package,
        [string] $PolicyPath = '/usr/sbin/policy-rc.d'
    )

    $madeHere = -not (Test-Path -LiteralPath $PolicyPath)
    if ($madeHere) {
        Set-Content -LiteralPath $PolicyPath -Value "#!/bin/sh`nexit 101"
        Invoke-Native chmod 755 $PolicyPath
    }
    $frontend = $env:DEBIAN_FRONTEND
    try {
        $env:DEBIAN_FRONTEND = 'noninteractive'
        Invoke-Native apt-get install -y -qq --no-install-recommends @Package
    }
    finally {
        $env:DEBIAN_FRONTEND = $frontend
        if ($madeHere) { Remove-Item -LiteralPath $PolicyPath -Force -ErrorAction SilentlyContinue }
    }
}

function Invoke-Test {
    Install-TestPrerequisite
    Invoke-Build
    $pester = Restore-TestModules
    $null = New-Item -ItemType Directory -Path (Join-Path $Out 'test-results') -Force

    Write-Host 'Running the engine tests (xunit)'
    $engine = Invoke-EngineTests
    Write-Host 'Running the module tests (Pester)'
    $module = Invoke-ModuleTests -PesterPath $pester

    $passed = $engine.Passed + $module.Passed
    $failed = $engine.Failed + $module.Failed
    Write-Host ("xunit: {0} passed, {1} failed; Pester: {2} passed, {3} failed" -f
        $engine.Passed, $engine.Failed, $module.Passed, $module.Failed)
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    $demo = Join-Path $Root 'tools/Demo.ps1'
    if ((Invoke-Pwsh -ArgumentList '-File', $demo, '-ModulePath', $ModuleOut) -ne 0) {
        throw 'The demo failed.'
    }
}

function Invoke-Bench {
    Invoke-Build
    $bench = Join-Path $Root 'bench/Invoke-Benchmarks.ps1'
    $arguments = '-File', $bench, '-ModulePath', $ModuleOut, '-OutputPath', (Join-Path $Out 'bench')
    if ((Invoke-Pwsh -ArgumentList $arguments) -ne 0) {
        throw 'The benchmarks failed.'
    }
}

function Invoke-Clean {
    Remove-Item -LiteralPath $Out -Recurse -Force -ErrorAction SilentlyContinue
    Get-ChildItem (Join-Path $Root 'src'), (Join-Path $Root 'tests') -Directory -Recurse -Include bin, obj |
        Remove-Item -Recurse -Force
    Write-Host 'Removed out/ and every bin/ and obj/.'
}

foreach ($name in $Task) {
    & "Invoke-$name"
}
