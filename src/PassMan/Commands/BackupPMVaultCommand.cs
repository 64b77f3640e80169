using System;
using System.Globalization;
using System.IO;
using System.Management.Automation;

namespace PassMan.Commands;

/// <summary>
/// <para type="synopsis">Writes a consistent copy of the vault while it stays in use.</para>
/// </summary>
[Cmdlet(VerbsData.Backup, "PMVault", SupportsShouldProcess = true)]
[OutputType(typeof(VaultBackup))]
public sealed class BackupPMVaultCommand : PassManCmdlet
{
    /// <summary>The backup file to write, or an existing folder to write a time-stamped copy into.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = string.Empty;

    /// <summary>Replaces an existing backup file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        var vault = ResolveVault();
        var destination = ResolveProviderPath(Destination, "-Destination");
        if (Directory.Exists(destination))
        {
            var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            var name = System.IO.Path.GetFileNameWithoutExtension(vault.Path);
            var extension = System.IO.Path.GetExtension(vault.Path);
            destination = System.IO.Path.Combine(destination, $"{name}-{stamp}{extension}");
        }

        if (!ShouldChange(destination, $"Back up the vault '{vault.Path}'"))
        {
            return;
        }

        WriteVerbose($"{vault.Path}: copying to '{destination}'.");
        var backup = vault.Backup(destination, Force);
        if (backup.KeyFilePath is not null)
        {
            WriteWarning(
                $"The backup opens only with the key file '{backup.KeyFilePath}'. Keep a copy of that key file, "
                + "stored apart from the backup: without it the backup cannot be read.");
        }

        WriteObject(backup);
    });
}
