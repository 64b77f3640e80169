<#
.SYNOPSIS
Builds the vault the reset figure starts from, once, before any timed run; in its own pwsh process.

.DESCRIPTION
Creates a key-file vault with -TargetCount targets and imports the accounts of -CsvPath through
Import-Csv | New-PMAccount -Password, so that every account holds a password (the same one: the
reset gives each its own). Then writes a consistent copy of it to -PreparedPath with Backup-PMVault,
and checks that a plain file copy of that, at another path, opens with the vault's key file and holds
every account and password.

A reset changes the vault, so every timed run works on its own copy of -PreparedPath, made by the
parent outside the timed part. The key file is not copied: the copies name the original key file by
its absolute path, as the backup does. Prints how long the import took; that time is information
only and not part of the results table.
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

# The backup warns that it needs the key file, which is known and kept: the warning is not shown.
$backup = Backup-PMVault -Destination $PreparedPath -WarningAction SilentlyContinue
$rows = (Get-PMVault).AccountCount

# A run's copy is a plain file copy at another path; one such copy must open and hold everything.
$check = Join-Path (Split-Path -Parent $backup.Path) 'check.db'
Copy-Item -LiteralPath $backup.Path -Destination $check
$copy = Unlock-PMVault -Path $check -PassThru
if ($copy.IsLocked -or $copy.AccountCount -ne $rows -or $copy.CredentialCount -ne $rows) {
    throw "A copy of '$($backup.Path)' did not open with its key file, or does not hold the $rows accounts."
}
$keyFile = $copy.KeyFilePath

Write-Host ('Built the reset vault: {0:n0} accounts with a password in {1:n1} s; key file {2}' -f
    $rows, $clock.Elapsed.TotalSeconds, $keyFile)
