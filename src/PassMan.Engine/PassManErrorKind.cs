namespace PassMan;

/// <summary>
/// What kind of failure an error is. The cmdlet layer maps each kind to a PowerShell error category,
/// so the engine can say what went wrong without knowing about PowerShell.
/// </summary>
public enum PassManErrorKind
{
    /// <summary>A parameter value is not acceptable.</summary>
    InvalidArgument,

    /// <summary>The thing asked for does not exist.</summary>
    NotFound,

    /// <summary>The thing to create exists already.</summary>
    AlreadyExists,

    /// <summary>A passphrase, key or credential did not authenticate.</summary>
    AuthenticationFailed,

    /// <summary>Stored data is malformed, corrupt or of an unknown format.</summary>
    InvalidData,

    /// <summary>A protection rule would be broken (file modes, tampered ciphertext, weak parameters).</summary>
    Security,

    /// <summary>The operation cannot run in the current state (a locked vault, no prompt available).</summary>
    InvalidOperation,

    /// <summary>The file system or another resource refused the operation.</summary>
    ResourceUnavailable,
}
