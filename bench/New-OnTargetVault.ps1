<#
.SYNOPSIS
Builds the vault the on-target reset figure starts from, once, before any timed run; in its own pwsh
process.

.DESCRIPTION
Creates a key-file vault with a target for each distinct Target of -AccountsPath (at its HostName and
Port), pins each target's host keys with Test-PMTarget -TrustHostKey, and stores every account with
its current password (New-PMAccount -Password). Then writes a consistent copy of the vault to
-PreparedPath and checks that a plain file copy of that opens and holds everything
(Save-PreparedVault in BenchCommon.ps1). Every timed PassMan run works on its own copy.

-AccountsPath is a CSV file with the columns Target, HostName, Port, UserName and Password, in a
folder only its owner can read: the passwords are in a file, never on a command line.
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
    [string] $AccountsPath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')

Import-Module $ModulePath
$accounts = @(Import-Csv -LiteralPath $AccountsPath)
$clock = [Diagnostics.Stopwatch]::StartNew()
$null = New-PMVault -Path $VaultPath

foreach ($target in $accounts | Sort-Object -Property Target -Unique) {
    $null = New-PMTarget -Name $target.Target -HostName $target.HostName -Port $target.Port
    $trust = Test-PMTarget -Name $target.Target -TrustHostKey -Confirm:$false
    if ($trust.Trust -ne 'Trusted') {
        throw "$($target.Target): its host keys were not pinned (trust: $($trust.Trust))."
    }
}

foreach ($account in $accounts) {
    $password = ConvertTo-SecureString -String $account.Password -AsPlainText -Force
    $null = New-PMAccount -Target $account.Target -UserName $account.UserName -Password $password
}

$vault = Get-PMVault
if ($vault.AccountCount -ne $accounts.Count -or $vault.CredentialCount -ne $accounts.Count) {
    throw "The on-target vault holds $($vault.AccountCount) accounts and $($vault.CredentialCount) " +
        "credentials, not the $($accounts.Count) accounts of '$AccountsPath' with a password each."
}
$keyFile = Save-PreparedVault -PreparedPath $PreparedPath
$clock.Stop()

Write-Host ('Built the on-target vault: {0:n0} accounts on {1} targets, host keys pinned, in {2:n1} s' -f
    $accounts.Count, @($accounts.Target | Sort-Object -Unique).Count, $clock.Elapsed.TotalSeconds)
