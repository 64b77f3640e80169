using System;

namespace PassMan.Model;

/// <summary>A user name on one target, as Get-PMAccount shows it.</summary>
public sealed class Account
{
    internal Account(
        Guid id,
        Guid targetId,
        string target,
        string userName,
        AccountStatus status,
        string credentials,
        string policy,
        string? reconcileAccount,
        string? description,
        DateTimeOffset? lastChanged,
        DateTimeOffset? lastVerified,
        DateTimeOffset created,
        bool pendingChange = false)
    {
        PendingChange = pendingChange;
        Id = id;
        TargetId = targetId;
        Target = target;
        UserName = userName;
        Status = status.ToString();
        Credentials = credentials;
        Policy = policy;
        ReconcileAccount = reconcileAccount;
        Description = description;
        LastChanged = Times.Show(lastChanged);
        LastVerified = Times.Show(lastVerified);
        Created = Times.Show(created)!;
    }

    /// <summary>The account's id.</summary>
    public Guid Id { get; }

    /// <summary>The id of the account's target.</summary>
    public Guid TargetId { get; }

    /// <summary>The name of the account's target.</summary>
    public string Target { get; }

    /// <summary>The user name on the target.</summary>
    public string UserName { get; }

    /// <summary>
    /// InSync, NotInSync or Unknown, as text so that JSON and CSV show the name; the values are
    /// those of <see cref="AccountStatus"/>.
    /// </summary>
    public string Status { get; }

    /// <summary>
    /// Whether a change on the target was cut off and its outcome is not known yet: the vault holds
    /// the new value beside the current one until Test-PMCredential (or the next reset) finds out
    /// which of them the target has.
    /// </summary>
    public bool PendingChange { get; }

    /// <summary>The credential types held, comma-separated; SSH keys with their key type.</summary>
    public string Credentials { get; }

    /// <summary>The name of the account's policy.</summary>
    public string Policy { get; }

    /// <summary>The user name of the reconcile account on the same target, if any.</summary>
    public string? ReconcileAccount { get; }

    /// <summary>Free text about the account.</summary>
    public string? Description { get; }

    /// <summary>When a credential last changed, ISO 8601 UTC.</summary>
    public string? LastChanged { get; }

    /// <summary>When a credential was last verified on the target, ISO 8601 UTC.</summary>
    public string? LastVerified { get; }

    /// <summary>When the account was created, ISO 8601 UTC.</summary>
    public string Created { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Target}/{UserName}";
}
