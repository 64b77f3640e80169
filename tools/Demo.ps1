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

function Show-OnTarget([string] $TargetsModule) {
    Import-Module $TargetsModule
    $target = Start-SshTarget
    try {
        $start = 'Demo-Start-Passw0rd'
        $null = New-SshTargetUser $target app $start
        $null = New-PMTarget -Name local -HostName $target.Address -Port $target.Port
        Write-Host "Test-PMTarget local: the host keys it offers, before anything is trusted"
        Test-PMTarget local | Select-Object -ExpandProperty HostKeys | Format-Table | Out-Host
        Test-PMTarget local -TrustHostKey -Confirm:$false | Format-Table | Out-Host
        $null = New-PMAccount local app -Password (ConvertTo-SecureString $start -AsPlainText -Force)
        Write-Host 'Reset-PMCredential local app -Generate: passwd on the target, then a login with the new password'
        Reset-PMCredential local app -Generate -Force -PassThru | Format-Table | Out-Host
        $new = (Get-PMCredential local app -Reason 'demo').GetNetworkCredential().Password
        'The real ssh client logs in with the new password: {0}; with the old one: {1}' -f
            (Test-SshTargetLogin $target app -Password $new), (Test-SshTargetLogin $target app -Password $start) |
            Out-Host
        Test-PMCredential local app | Format-Table | Out-Host
    }
    finally {
        Stop-SshTarget $target
    }
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

    Show-Step 'New-PMTarget, and accounts onboarded from a CSV file with Import-Csv | New-PMAccount'
    $null = New-PMTarget -Name web01 -HostName web01.example.test
    $null = New-PMTarget -Name db01 -HostName db01.example.test -Port 2222
    $csv = Join-Path $folder 'accounts.csv'
    @(
        'Target,UserName,ReconcileAccount,Description'
        'web01,root,,break-glass administrator'
        'web01,deploy,root,CI deployments'
        'db01,root,,'
        'db01,postgres,root,database owner'
    ) | Set-Content -LiteralPath $csv
    Import-Csv -LiteralPath $csv | New-PMAccount | Format-Table | Out-Host

    Show-Step 'Get-PMTarget | Get-PMAccount'
    Get-PMTarget | Format-Table | Out-Host
    Get-PMTarget web01 | Get-PMAccount | Format-Table | Out-Host

    Show-Step 'A policy for the database accounts'
    $null = New-PMPolicy -Name databases -PasswordLength 32 -ForbiddenCharacters '"''\'
    Get-PMAccount -Target db01 | Set-PMAccount -Policy databases
    Get-PMPolicy | Format-Table | Out-Host

    Show-Step 'Passwords for every account, then a bulk reset in the vault: Reset-PMCredential -Generate'
    Get-PMAccount | New-PMCredential -Value (New-PMCredential) -ErrorAction SilentlyContinue
    Get-PMAccount | Reset-PMCredential -Generate -ChangeOnTarget:$false -Force -PassThru | Format-Table | Out-Host

    Show-Step 'CheckOut: Get-PMCredential returns the value of the latest reset, as a PSCredential'
    $credential = Get-PMCredential -Target web01 -UserName deploy -Reason 'demo'
    "{0}: a PSCredential for '{1}', password of {2} characters" -f
        $credential.GetType().Name, $credential.UserName, $credential.GetNetworkCredential().Password.Length |
        Out-Host
    Get-PMCredential -Target web01 -UserName deploy -History | Format-Table | Out-Host

    Show-Step 'An SSH key, generated in the vault, checked out to a file that ssh -i takes'
    Get-PMAccount web01 deploy |
        New-PMCredential -CredentialType SshKey -SshKeyType ssh-ed25519 -ChangeOnTarget:$false
    $keyFile = Get-PMCredential web01 deploy -CredentialType SshKey -SshKeyType ssh-ed25519 -OutFile $folder
    Get-Item -LiteralPath $keyFile.FullName | Select-Object Name, UnixMode | Format-Table | Out-Host

    Show-Step 'A real change on a throwaway local target: an OpenSSH server of its own on loopback'
    $targets = Join-Path $PSScriptRoot '../tests/Targets/SshTargets.psm1'
    $missing = @(
        if (-not $IsLinux) { 'Linux' }
        elseif ((id -u) -ne '0') { 'root (the target runs in a mount namespace of its own)' }
        if (-not (Test-Path /usr/sbin/sshd)) { 'the openssh-server package (build.ps1 Test installs it)' }
        if (-not (Get-Command sudo -ErrorAction SilentlyContinue)) { 'the sudo package' }
    )
    if ($missing) {
        Write-Host "Skipped: this step needs $($missing -join ', ')." -ForegroundColor Yellow
    }
    else {
        Show-OnTarget -TargetsModule $targets
    }

    Show-Step 'The audit log, and its MAC chain verified'
    Get-PMAuditLog -Last 6 | Format-Table | Out-Host
    Test-PMAuditLog | Format-Table | Out-Host

    Show-Step 'Backup-PMVault while the vault is open'
    Backup-PMVault -Destination (Join-Path $folder 'backup.db') -WarningAction Continue | Format-Table | Out-Host

    Show-Step 'Get-PMVault'
    Get-PMVault | Format-List | Out-Host
}
finally {
    Remove-Module PassMan -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue
}
