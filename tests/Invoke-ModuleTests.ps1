<#
.SYNOPSIS
Runs the Pester tests against a built PassMan module; build.ps1 Test starts it in a fresh pwsh.

.DESCRIPTION
The module is copied into a folder whose path contains a space, and imported from there, so the
tests also prove that PassMan finds its native libraries wherever it is installed. The counts are
written to -SummaryPath for build.ps1 to add to the engine's.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SummaryPath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

Import-Module $PesterPath -MinimumVersion 5.7.1

$suffix = [guid]::NewGuid().ToString('N').Substring(0, 8)
$installRoot = Join-Path ([IO.Path]::GetTempPath()) "passman module tests $suffix"
$null = New-Item -ItemType Directory -Path $installRoot
try {
    Copy-Item -LiteralPath $ModulePath -Destination $installRoot -Recurse
    $env:PASSMAN_TEST_MODULE = Join-Path $installRoot (Split-Path $ModulePath -Leaf)

    $configuration = New-PesterConfiguration
    $configuration.Run.Path = Join-Path $PSScriptRoot 'Module'
    $configuration.Run.PassThru = $true
    $configuration.Output.Verbosity = 'Detailed'
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputPath = Join-Path (Split-Path $SummaryPath) 'pester.xml'
    $result = Invoke-Pester -Configuration $configuration

    $failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    @{ Passed = $result.PassedCount; Failed = $failed } | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
    exit $(if ($failed -gt 0) { 1 } else { 0 })
}
finally {
    Remove-Item -LiteralPath $installRoot -Recurse -Force -ErrorAction SilentlyContinue
}
