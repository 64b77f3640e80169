using System;

namespace PassMan;

/// <summary>What <c>Get-PMVault</c> shows about a vault. Holds no secret.</summary>
public sealed class VaultInfo
{
    /// <summary>Creates the description of a vault.</summary>
    public VaultInfo(
        string path,
        Guid vaultId,
        int formatVersion,
        VaultProtection protection,
        string? keyFilePath,
        bool isLocked,
        DateTimeOffset createdUtc,
        long targetCount,
        long accountCount,
        long credentialCount)
    {
        Path = path;
        VaultId = vaultId;
        FormatVersion = formatVersion;
        Protection = protection;
        KeyFilePath = keyFilePath;
        IsLocked = isLocked;
        CreatedUtc = createdUtc;
        TargetCount = targetCount;
        AccountCount = accountCount;
        CredentialCount = credentialCount;
    }

    /// <summary>The full path of the vault file.</summary>
    public string Path { get; }

    /// <summary>The vault's id, fixed when it was created.</summary>
    public Guid VaultId { get; }

    /// <summary>The schema version of the vault file.</summary>
    public int FormatVersion { get; }

    /// <summary>How the data key is protected.</summary>
    public VaultProtection Protection { get; }

    /// <summary>The key file, for a key-file vault.</summary>
    public string? KeyFilePath { get; }

    /// <summary>Whether no data key is held in memory: secrets cannot be read until the vault is unlocked.</summary>
    public bool IsLocked { get; }

    /// <summary>When the vault was created.</summary>
    public DateTimeOffset CreatedUtc { get; }

    /// <summary>How many targets the vault holds.</summary>
    public long TargetCount { get; }

    /// <summary>How many accounts the vault holds.</summary>
    public long AccountCount { get; }

    /// <summary>How many credentials the vault holds, old values in history not counted.</summary>
    public long CredentialCount { get; }
}
