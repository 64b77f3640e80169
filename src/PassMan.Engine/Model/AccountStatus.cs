namespace PassMan.Model;

/// <summary>Whether the vault's credentials are the ones that open the account on its target.</summary>
public enum AccountStatus
{
    /// <summary>Never verified, or not all credentials verified yet.</summary>
    Unknown,

    /// <summary>Every credential that lives on the target was verified to work.</summary>
    InSync,

    /// <summary>A credential is known not to work, or the vault was changed without the target.</summary>
    NotInSync,
}
