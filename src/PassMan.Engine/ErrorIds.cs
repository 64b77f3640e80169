namespace PassMan;

/// <summary>
/// The stable error ids of the engine. They are public API: scripts match on them, so a name never
/// changes once it has shipped.
/// </summary>
public static class ErrorIds
{
    /// <summary>No vault file at the path.</summary>
    public const string VaultNotFound = nameof(VaultNotFound);

    /// <summary>A vault file (or its key file) exists already where a new one was to be created.</summary>
    public const string VaultExists = nameof(VaultExists);

    /// <summary>The file is not a PassMan vault (not SQLite, or another application's database).</summary>
    public const string NotAVault = nameof(NotAVault);

    /// <summary>The vault file is damaged (truncated, corrupt pages, missing records).</summary>
    public const string VaultCorrupt = nameof(VaultCorrupt);

    /// <summary>The vault was written by a newer PassMan than this one.</summary>
    public const string VaultFormatTooNew = nameof(VaultFormatTooNew);

    /// <summary>A secret was needed but the passphrase-protected vault is locked.</summary>
    public const string VaultLocked = nameof(VaultLocked);

    /// <summary>The passphrase does not open the vault.</summary>
    public const string WrongPassphrase = nameof(WrongPassphrase);

    /// <summary>A new passphrase is too weak to protect a vault.</summary>
    public const string PassphraseTooShort = nameof(PassphraseTooShort);

    /// <summary>The two entries of a new secret typed at a prompt differ.</summary>
    public const string ConfirmationMismatch = nameof(ConfirmationMismatch);

    /// <summary>The vault's key-derivation parameters are below PassMan's minimum.</summary>
    public const string KdfTooWeak = nameof(KdfTooWeak);

    /// <summary>The key file of a key-file vault is missing.</summary>
    public const string KeyFileNotFound = nameof(KeyFileNotFound);

    /// <summary>The key file is malformed or belongs to another vault.</summary>
    public const string KeyFileInvalid = nameof(KeyFileInvalid);

    /// <summary>The key file or its folder can be read or written by others than its owner.</summary>
    public const string KeyFileInsecure = nameof(KeyFileInsecure);

    /// <summary>A ciphertext failed authentication: it was changed or moved to another record.</summary>
    public const string SecretTampered = nameof(SecretTampered);

    /// <summary>A path is empty, malformed or unusable.</summary>
    public const string InvalidPath = nameof(InvalidPath);

    /// <summary>The backup destination exists and overwriting was not asked for.</summary>
    public const string BackupDestinationExists = nameof(BackupDestinationExists);

    /// <summary>The vault is already protected the way that was asked for.</summary>
    public const string ProtectionUnchanged = nameof(ProtectionUnchanged);

    /// <summary>A record the operation refers to does not exist.</summary>
    public const string RecordNotFound = nameof(RecordNotFound);

    /// <summary>Parameters that contradict each other were given together, such as two sources of one value.</summary>
    public const string ParameterConflict = nameof(ParameterConflict);

    /// <summary>A value would need a prompt, and the session cannot prompt.</summary>
    public const string InteractiveInputRequired = nameof(InteractiveInputRequired);

    /// <summary>The file system refused to read or write a vault file.</summary>
    public const string VaultIOError = nameof(VaultIOError);

    /// <summary>A parameter value is not acceptable (an unknown key type, an out-of-range port).</summary>
    public const string InvalidArgument = nameof(InvalidArgument);

    /// <summary>A name is empty, too long, or holds control characters.</summary>
    public const string InvalidName = nameof(InvalidName);

    /// <summary>A target with that name exists already (names compare without regard to case).</summary>
    public const string TargetExists = nameof(TargetExists);

    /// <summary>No target has that name.</summary>
    public const string TargetNotFound = nameof(TargetNotFound);

    /// <summary>The target still has accounts; removing it needs -Force.</summary>
    public const string TargetHasAccounts = nameof(TargetHasAccounts);

    /// <summary>The target already has an account with that user name.</summary>
    public const string AccountExists = nameof(AccountExists);

    /// <summary>No account matches.</summary>
    public const string AccountNotFound = nameof(AccountNotFound);

    /// <summary>The reconcile account named does not exist on the same target, or is the account itself.</summary>
    public const string ReconcileAccountNotFound = nameof(ReconcileAccountNotFound);

    /// <summary>An account to remove is the reconcile account of others.</summary>
    public const string AccountInUse = nameof(AccountInUse);

    /// <summary>A policy with that name exists already.</summary>
    public const string PolicyExists = nameof(PolicyExists);

    /// <summary>No policy has that name.</summary>
    public const string PolicyNotFound = nameof(PolicyNotFound);

    /// <summary>The policy is used by accounts, or is the Default policy, and cannot be removed.</summary>
    public const string PolicyInUse = nameof(PolicyInUse);

    /// <summary>The policy cannot be met; the message names the rule.</summary>
    public const string InvalidPolicy = nameof(InvalidPolicy);

    /// <summary>A host key fingerprint is not of the form SHA256:base64, as ssh-keygen -l prints it.</summary>
    public const string InvalidHostKeyFingerprint = nameof(InvalidHostKeyFingerprint);

    /// <summary>The account holds a credential of that type (and key type) already.</summary>
    public const string CredentialExists = nameof(CredentialExists);

    /// <summary>The change needs the target, and this version of PassMan changes the vault only.</summary>
    public const string ChangeOnTargetUnavailable = nameof(ChangeOnTargetUnavailable);

    /// <summary>The refusal of a change that would need the target, for <paramref name="account"/>.</summary>
    public static PassManException TargetChangeRefused(string account, string what) => new(
        ChangeOnTargetUnavailable,
        PassManErrorKind.InvalidOperation,
        $"{account}: changing the {what} on the target is not available in this version of PassMan. "
            + "Add -ChangeOnTarget:$false to change the vault only. Nothing was changed.",
        account);

    /// <summary>The account holds no credential of the type (and key type) asked for.</summary>
    public const string CredentialNotFound = nameof(CredentialNotFound);

    /// <summary>The new value was used within the policy's history and cannot be used again.</summary>
    public const string CredentialReused = nameof(CredentialReused);

    /// <summary>The credential has a pending change on its target that must be resolved first.</summary>
    public const string PendingChange = nameof(PendingChange);

    /// <summary>
    /// The refusal of a change while <paramref name="what"/> of <paramref name="account"/> has a pending change.
    /// </summary>
    public static PassManException Pending(string account, string what) => new(
        PendingChange,
        PassManErrorKind.InvalidOperation,
        $"{account}: the {what} has a pending change on the target whose outcome is not known. Run "
            + "Test-PMCredential first: it finds out which value the target has and keeps it.",
        account);

    /// <summary>A pending value was asked for, and the credential has no change pending.</summary>
    public const string NoPendingChange = nameof(NoPendingChange);

    /// <summary>A file to write exists already; PassMan does not overwrite it.</summary>
    public const string OutFileExists = nameof(OutFileExists);

    /// <summary>No past version of the credential has that number.</summary>
    public const string VersionNotFound = nameof(VersionNotFound);

    /// <summary>A key given to PassMan is weaker than any it would make (an RSA key under 2048 bits).</summary>
    public const string KeyTooWeak = nameof(KeyTooWeak);

    /// <summary>A private key file is damaged or not a private key.</summary>
    public const string MalformedPrivateKey = nameof(MalformedPrivateKey);

    /// <summary>A private key is encrypted and no passphrase was given.</summary>
    public const string KeyPassphraseRequired = nameof(KeyPassphraseRequired);

    /// <summary>The passphrase does not decrypt the private key.</summary>
    public const string WrongKeyPassphrase = nameof(WrongKeyPassphrase);

    /// <summary>A private key is of a type or format PassMan does not read.</summary>
    public const string UnsupportedKeyFormat = nameof(UnsupportedKeyFormat);

    /// <summary>Nothing is pinned for the target's host and port, so PassMan will not talk to it.</summary>
    public const string HostKeyNotTrusted = nameof(HostKeyNotTrusted);

    /// <summary>The target offered a host key that is not a pinned one.</summary>
    public const string HostKeyMismatch = nameof(HostKeyMismatch);

    /// <summary>The target cannot be reached over SSH: no route, refused, timed out, or key exchange failed.</summary>
    public const string TargetUnreachable = nameof(TargetUnreachable);

    /// <summary>A known_hosts file holds no usable key for the target named.</summary>
    public const string KnownHostNotFound = nameof(KnownHostNotFound);

    /// <summary>The target refused a login with the credential given.</summary>
    public const string LoginFailed = nameof(LoginFailed);

    /// <summary>A command on the target failed, timed out or was cut off.</summary>
    public const string TargetCommandFailed = nameof(TargetCommandFailed);

    /// <summary>The target refused the new password, by its own quality rules.</summary>
    public const string PasswordRefused = nameof(PasswordRefused);

    /// <summary>sudo did not let the reconcile account run the change.</summary>
    public const string SudoRefused = nameof(SudoRefused);

    /// <summary>A password holds a character that cannot travel to the target: a line break or NUL.</summary>
    public const string UnsupportedPasswordCharacter = nameof(UnsupportedPasswordCharacter);

    /// <summary>The account's own credential does not open it, and it names no reconcile account that could.</summary>
    public const string ReconcileAccountRequired = nameof(ReconcileAccountRequired);

    /// <summary>
    /// The user's home, ~/.ssh or authorized_keys breaks OpenSSH's ownership rule, and PassMan cannot repair it.
    /// </summary>
    public const string SshDirectoryOwnership = nameof(SshDirectoryOwnership);

    /// <summary>authorized_keys changed on the target while PassMan was editing it; nothing was written.</summary>
    public const string KeyFileChanged = nameof(KeyFileChanged);

    /// <summary>The target did not accept a login with the new key; the old key stays current.</summary>
    public const string KeyRefused = nameof(KeyRefused);

    /// <summary>A change on the target could not be confirmed: neither the new nor the old value logs in.</summary>
    public const string ChangeUnconfirmed = nameof(ChangeUnconfirmed);
}
