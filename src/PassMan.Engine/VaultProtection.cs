namespace PassMan;

/// <summary>How a vault's data key is protected at rest.</summary>
public enum VaultProtection
{
    /// <summary>A random key in a key file readable only by its owner; opens without a prompt.</summary>
    KeyFile,

    /// <summary>A key derived from a passphrase, asked for when the vault is unlocked.</summary>
    Passphrase,
}
