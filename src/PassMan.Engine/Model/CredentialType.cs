namespace PassMan.Model;

/// <summary>The kinds of secret an account holds.</summary>
public enum CredentialType
{
    /// <summary>The account's password on its target.</summary>
    Password,

    /// <summary>An SSH key pair whose public half is in the account's authorized_keys.</summary>
    SshKey,

    /// <summary>A PIN, kept in the vault only.</summary>
    Pin,
}
