using System.Management.Automation;

namespace PassMan.Commands;

/// <summary>
/// <para type="synopsis">Describes a vault: path, format, protection, lock state and what it holds.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "PMVault")]
[OutputType(typeof(VaultInfo))]
public sealed class GetPMVaultCommand : PassManCmdlet
{
    /// <summary>The vault file; by default the one this session uses.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        try
        {
            var vault = Path is null ? ResolveVault() : OpenVault(ResolveFilePath(Path, "-Path"));
            WriteObject(vault.GetInfo());
        }
        catch (PassManException e)
        {
            // Each path from the pipeline is its own item: one bad file does not stop the rest.
            WriteError(e);
        }
    }
}
