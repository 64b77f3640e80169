<#
.SYNOPSIS
Builds the vault the listing figure reads, once, before any timed run; in its own pwsh process.

.DESCRIPTION
Creates a key-file vault at -VaultPath with -TargetCount targets and imports the accounts of -CsvPath
through Import-Csv | New-PMAccount, which writes them in batches. Prints how long the import took;
that time is information only and not part of the results table.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath,

    [Parameter(Mandatory)]
    [string] $VaultPath,

    [Parameter(Mandatory)]
    [string] $CsvPath,

    [Parameter(Mandatory)]
    [int] $TargetCount
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')

Import-Module $ModulePath
$null = New-PMVault -Path $VaultPath
New-BenchTarget -TargetCount $TargetCount

$clock = [Diagnostics.Stopwatch]::StartNew()
$null = Import-Csv -LiteralPath $CsvPath | New-PMAccount
$clock.Stop()

$accounts = (Get-PMVault).AccountCount
Write-Host ('Built the listing vault: {0:n0} accounts in {1:n1} s' -f $accounts, $clock.Elapsed.TotalSeconds)
