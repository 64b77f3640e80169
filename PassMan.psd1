@{
    # The one version of the whole repository: the build gives it to every assembly.
    ModuleVersion        = '0.1.0'

    RootModule           = 'PassMan.dll'

    # Loaded before the root module: it sends the engine and its libraries to a private load context.
    NestedModules        = @('PassMan.Loader.dll')
    GUID                 = '5b0f5b8e-6f8c-4d0e-9a52-3f1d3c2b8a71'
    Author               = 'The PassMan developers'
    CompanyName          = 'PassMan'
    Copyright            = '(c) The PassMan developers. All rights reserved.'
    Description          = 'Privileged credentials for SSH targets: passwords, SSH keys and PINs in an encrypted vault.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')

    FormatsToProcess     = @('PassMan.Format.ps1xml')

    CmdletsToExport      = @(
        'Backup-PMVault'
        'Get-PMAccount'
        'Get-PMAuditLog'
        'Get-PMCredential'
        'Get-PMPolicy'
        'Get-PMTarget'
        'Get-PMVault'
        'Import-PMKnownHost'
        'Lock-PMVault'
        'New-PMAccount'
        'New-PMCredential'
        'New-PMPolicy'
        'New-PMTarget'
        'New-PMVault'
        'Remove-PMAccount'
        'Remove-PMCredential'
        'Remove-PMPolicy'
        'Remove-PMTarget'
        'Reset-PMCredential'
        'Set-PMAccount'
        'Set-PMPolicy'
        'Set-PMTarget'
        'Set-PMVault'
        'Test-PMAuditLog'
        'Test-PMCredential'
        'Test-PMTarget'
        'Unlock-PMVault'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()

    PrivateData          = @{
        PSData = @{
            Tags = @('PAM', 'Credentials', 'Passwords', 'SSH', 'Vault', 'Linux')
        }
    }
}
