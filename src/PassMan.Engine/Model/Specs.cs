using System;
using System.Collections.Generic;
using PassMan.Crypto;

namespace PassMan.Model;

/// <summary>A new target.</summary>
public sealed record TargetSpec(
    string Name,
    string HostName,
    int Port = 22,
    string Platform = Platforms.Linux,
    IReadOnlyList<string>? HostKeyFingerprints = null,
    string? Description = null,
    int MaxConnections = Targets.DefaultMaxConnections);

/// <summary>Limits on the work PassMan does on targets.</summary>
public static class Targets
{
    /// <summary>How many SSH connections a bulk run opens to one target at once, unless the target says.</summary>
    public const int DefaultMaxConnections = 3;

    /// <summary>The most a target may allow.</summary>
    public const int MaxMaxConnections = 64;

    /// <summary>Checks a target's connection limit: 1 to 64. Fails with InvalidArgument.</summary>
    public static int RequireMaxConnections(int value) => value is >= 1 and <= MaxMaxConnections
        ? value
        : throw new PassManException(
            ErrorIds.InvalidArgument,
            PassManErrorKind.InvalidArgument,
            $"-MaxConnections must be between 1 and {MaxMaxConnections}; {value} is not.",
            value);
}

/// <summary>Changes to a target; null leaves a field as it is.</summary>
public sealed record TargetChange(
    string? NewName = null,
    string? HostName = null,
    int? Port = null,
    string? Platform = null,
    IReadOnlyList<string>? HostKeyFingerprints = null,
    string? Description = null,
    int? MaxConnections = null);

/// <summary>
/// A new account. <see cref="Password"/>, when given, becomes the account's first password
/// credential; the caller keeps ownership of the buffer.
/// </summary>
public sealed record AccountSpec(
    string Target,
    string UserName,
    string? Policy = null,
    string? ReconcileAccount = null,
    string? Description = null,
    SecretBuffer? Password = null);

/// <summary>
/// Changes to an account; null leaves a field as it is. An empty <see cref="Policy"/> returns the
/// account to the Default policy; an empty <see cref="ReconcileAccount"/> removes it.
/// </summary>
public sealed record AccountChange(string? Policy = null, string? ReconcileAccount = null, string? Description = null);

/// <summary>Names an account: by id, or by target and user name.</summary>
public sealed record AccountRef(Guid? Id = null, string? Target = null, string? UserName = null)
{
    /// <inheritdoc/>
    public override string ToString() => Id is { } id ? id.ToString() : $"{Target}/{UserName}";
}

/// <summary>The outcome of one item of a batch: its value, or the error that stopped it.</summary>
public readonly record struct BatchResult<T>(T? Value, PassManException? Error);

/// <summary>The platforms PassMan can change credentials on.</summary>
public static class Platforms
{
    /// <summary>Linux and other Unix-like systems reached over SSH, with passwd and sudo.</summary>
    public const string Linux = "Linux";

    /// <summary>Every supported platform.</summary>
    public static IReadOnlyList<string> All { get; } = [Linux];

    /// <summary>Fails with InvalidArgument unless the platform is supported; returns its canonical spelling.</summary>
    public static string Require(string platform)
    {
        foreach (var known in All)
        {
            if (string.Equals(known, platform, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        throw new PassManException(
            ErrorIds.InvalidArgument,
            PassManErrorKind.InvalidArgument,
            $"Platform '{platform}' is not supported; use one of {string.Join(", ", All)}.",
            platform);
    }
}

/// <summary>The actions the audit log records.</summary>
public static class AuditActions
{
    /// <summary>A vault was created.</summary>
    public const string VaultCreated = nameof(VaultCreated);

    /// <summary>A vault was unlocked with its passphrase or key file.</summary>
    public const string VaultUnlocked = nameof(VaultUnlocked);

    /// <summary>The protection of the data key changed.</summary>
    public const string VaultProtectionChanged = nameof(VaultProtectionChanged);

    /// <summary>A backup of the vault was written.</summary>
    public const string VaultBackedUp = nameof(VaultBackedUp);

    /// <summary>A target was created.</summary>
    public const string TargetCreated = nameof(TargetCreated);

    /// <summary>A target was changed.</summary>
    public const string TargetChanged = nameof(TargetChanged);

    /// <summary>A target was removed.</summary>
    public const string TargetRemoved = nameof(TargetRemoved);

    /// <summary>An account was created.</summary>
    public const string AccountCreated = nameof(AccountCreated);

    /// <summary>An account was changed.</summary>
    public const string AccountChanged = nameof(AccountChanged);

    /// <summary>An account was removed.</summary>
    public const string AccountRemoved = nameof(AccountRemoved);

    /// <summary>A credential was added to an account.</summary>
    public const string CredentialAdded = nameof(CredentialAdded);

    /// <summary>A credential got a new value.</summary>
    public const string CredentialReset = nameof(CredentialReset);

    /// <summary>A credential's value was given out.</summary>
    public const string CredentialCheckedOut = nameof(CredentialCheckedOut);

    /// <summary>A credential was removed from an account.</summary>
    public const string CredentialRemoved = nameof(CredentialRemoved);

    /// <summary>A change of a credential on the target failed, or its outcome is not known yet.</summary>
    public const string CredentialResetFailed = nameof(CredentialResetFailed);

    /// <summary>Credentials were tried against the target, and their statuses set.</summary>
    public const string CredentialVerified = nameof(CredentialVerified);

    /// <summary>Host keys were pinned for a host and port.</summary>
    public const string HostKeyTrusted = nameof(HostKeyTrusted);

    /// <summary>Every pin of a host and port was replaced, after the host's keys changed.</summary>
    public const string HostKeyReplaced = nameof(HostKeyReplaced);

    /// <summary>A policy was created.</summary>
    public const string PolicyCreated = nameof(PolicyCreated);

    /// <summary>A policy was changed.</summary>
    public const string PolicyChanged = nameof(PolicyChanged);

    /// <summary>A policy was removed.</summary>
    public const string PolicyRemoved = nameof(PolicyRemoved);
}
