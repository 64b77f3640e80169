<#
.SYNOPSIS
PassMan's main job, end to end, against a throwaway vault in a temporary folder.
#>
param(
    [Parameter(Mandatory)]
    [string] $ModulePath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Show-Step([string] $Text) {
    Write-Host ''
    Write-Host "== $Text" -ForegroundColor Cyan
}

Import-Module $ModulePath
$folder = Join-Path ([IO.Path]::GetTempPath()) "passman demo $([guid]::NewGuid().ToString('N').Substring(0, 8))"
try {
    $vaultPath = Join-Path $folder 'vault.db'

    Show-Step "New-PMVault -Path '$vaultPath'   (key-file protection: no prompt, for runbooks)"
    New-PMVault -Path $vaultPath | Format-List | Out-Host

    Show-Step 'The key file is readable by its owner only'
    Get-Item -LiteralPath "$vaultPath.key" | Select-Object Name, UnixMode, Length | Format-Table | Out-Host

    Show-Step 'Lock-PMVault, then Unlock-PMVault reads the key file again'
    Lock-PMVault
    Unlock-PMVault -PassThru | Format-Table | Out-Host

    Show-Step 'Backup-PMVault while the vault is open'
    Backup-PMVault -Destination (Join-Path $folder 'backup.db') -WarningAction Continue | Format-Table | Out-Host

    Show-Step 'Get-PMVault'
    Get-PMVault | Format-List | Out-Host
}
finally {
    Remove-Module PassMan -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue
}
