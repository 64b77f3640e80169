<#
.SYNOPSIS
Builds the vault the reset figure starts from, once, before any timed run; in its own pwsh process.

.DESCRIPTION
Creates a key-file vault with -TargetCount targets and imports the accounts of -CsvPath through
Import-Csv | New-PMAccount -Password, so that every account holds a password (the same one: the
reset gives each its own). Then writes a consistent copy of it to -PreparedPath and checks that a
plain file copy of that opens and holds everything (Save-PreparedVault in BenchCommon.ps1).

A reset changes the vault, so every timed run works on its own copy of -PreparedPath, made by the
parent outside the timed part. Prints how long the import took; that time is information only and
not part of the results table.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath,

    # The vault to build; its key file is the default one beside it, which every copy uses.
    [Parameter(Mandatory)]
    [string] $VaultPath,

    # The closed, consistent copy that the runs copy.
    [Parameter(Mandatory)]
    [string] $PreparedPath,

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

# One value for all, bound once: New-PMAccount still takes the rows in batches.
$initial = ConvertTo-SecureString -String 'Bench-Initial-Password-0' -AsPlainText -Force
$clock = [Diagnostics.Stopwatch]::StartNew()
$null = Import-Csv -LiteralPath $CsvPath | New-PMAccount -Password $initial
$clock.Stop()

$vault = Get-PMVault
$rows = $vault.AccountCount
if ($vault.CredentialCount -ne $rows) {
    throw "The reset vault holds $($vault.CredentialCount) credentials for its $rows accounts, not one each."
}
$keyFile = Save-PreparedVault -PreparedPath $PreparedPath

Write-Host ('Built the reset vault: {0:n0} accounts with a password in {1:n1} s; key file {2}' -f
    $rows, $clock.Elapsed.TotalSeconds, $keyFile)
