using System.Management.Automation;
using System.Security;
using PassMan.Commands.Hosting;

namespace PassMan.Commands;

/// <summary>
/// <para type="synopsis">Creates a new encrypted vault and opens it in this session.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "PMVault", SupportsShouldProcess = true)]
[OutputType(typeof(VaultInfo))]
public sealed class NewPMVaultCommand : PassManCmdlet
{
    /// <summary>The vault file to create; by default $env:PASSMAN_VAULT, else the per-user default.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Key file or passphrase; by default Passphrase when -Passphrase is given, else KeyFile.</summary>
    [Parameter]
    public VaultProtection? Protection { get; set; }

    /// <summary>The passphrase that protects the vault's data key.</summary>
    [Parameter]
    public SecureString? Passphrase { get; set; }

    /// <summary>Where to write the key file of a key-file vault; by default next to the vault.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        var path = Path is null ? VaultLocation.FromEnvironment() : ResolveFilePath(Path, "-Path");
        var protection = Protection ?? (Passphrase is null ? VaultProtection.KeyFile : VaultProtection.Passphrase);
        var keyFile = KeyFilePath is null ? null : ResolveFilePath(KeyFilePath, "-KeyFilePath");
        ProtectionParameters.Check(protection, Passphrase, keyFile);

        var description = protection == VaultProtection.KeyFile
            ? $"Create vault protected by the key file '{keyFile ?? VaultLocation.DefaultKeyFilePath(path)}'"
            : "Create vault protected by a passphrase";
        if (!ShouldChange(path, description))
        {
            return;
        }

        Vault vault;
        if (protection == VaultProtection.KeyFile)
        {
            vault = Vault.CreateWithKeyFile(path, keyFile);
        }
        else
        {
            using var passphrase = Passphrase?.Copy()
                ?? Interaction.ReadNewSecret(this, "Vault passphrase", "-Passphrase");
            vault = SecureStrings.Use(passphrase, secret => Vault.CreateWithPassphrase(path, secret));
        }

        WriteVerbose($"{path}: vault created, protected by {vault.Protection}.");
        Session.Select(vault);
        WriteObject(vault.GetInfo());
    });
}
