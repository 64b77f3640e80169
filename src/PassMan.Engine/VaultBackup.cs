using System;

namespace PassMan;

/// <summary>What <c>Backup-PMVault</c> reports about the copy it made.</summary>
public sealed class VaultBackup
{
    /// <summary>Creates the description of a backup.</summary>
    public VaultBackup(
        string path,
        string sourcePath,
        VaultProtection protection,
        string? keyFilePath,
        long length,
        DateTimeOffset takenUtc)
    {
        Path = path;
        SourcePath = sourcePath;
        Protection = protection;
        KeyFilePath = keyFilePath;
        Length = length;
        TakenUtc = takenUtc;
    }

    /// <summary>The full path of the backup file.</summary>
    public string Path { get; }

    /// <summary>The vault that was copied.</summary>
    public string SourcePath { get; }

    /// <summary>The protection the copy has: the same as the vault's at the time of the backup.</summary>
    public VaultProtection Protection { get; }

    /// <summary>For a key-file vault, the key file without which the backup cannot be opened.</summary>
    public string? KeyFilePath { get; }

    /// <summary>The size of the backup file in bytes.</summary>
    public long Length { get; }

    /// <summary>When the copy was taken.</summary>
    public DateTimeOffset TakenUtc { get; }
}
