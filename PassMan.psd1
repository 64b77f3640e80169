@{
    # The one version of the whole repository: the build gives it to every assembly.
    ModuleVersion        = '0.1.0'

    RootModule           = 'PassMan.dll'
    GUID                 = '5b0f5b8e-6f8c-4d0e-9a52-3f1d3c2b8a71'
    Author               = 'The PassMan developers'
    CompanyName          = 'PassMan'
    Copyright            = '(c) The PassMan developers. All rights reserved.'
    Description          = 'Privileged credential management for SSH targets: accounts, passwords, SSH keys ' +
                           'and PINs in a local encrypted vault, reset in the vault or on the target.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')

    FormatsToProcess     = @('PassMan.Format.ps1xml')

    CmdletsToExport      = @(
        'Backup-PMVault'
        'Get-PMVault'
        'Lock-PMVault'
        'New-PMVault'
        'Set-PMVault'
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
