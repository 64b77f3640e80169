using System;
using System.Collections.Generic;
using System.Linq;

namespace PassMan.Model;

/// <summary>What Test-PMCredential reports for one account: each credential tried, and the account's status.</summary>
public sealed class VerifyResult
{
    internal VerifyResult(string target, string userName, AccountStatus status, IReadOnlyList<CredentialCheck> checks)
    {
        Target = target;
        UserName = userName;
        Status = status.ToString();
        Credentials = checks;
        Summary = string.Join(", ", checks.Select(c => $"{c.Credential} {c.Status ?? "not tried"}"));
    }

    /// <summary>The account's target.</summary>
    public string Target { get; }

    /// <summary>The account's user name.</summary>
    public string UserName { get; }

    /// <summary>The account's status after the test: InSync, NotInSync or Unknown.</summary>
    public string Status { get; }

    /// <summary>Each credential that lives on the target, with its own result.</summary>
    public IReadOnlyList<CredentialCheck> Credentials { get; }

    /// <summary>The credentials' results on one line, for a table.</summary>
    public string Summary { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Target}/{UserName}";
}

/// <summary>The result of trying one credential against its target.</summary>
public sealed class CredentialCheck
{
    internal CredentialCheck(
        CredentialType type,
        string? keyType,
        AccountStatus? status,
        DateTimeOffset? verified,
        string? detail)
    {
        CredentialType = type.ToString();
        KeyType = keyType;
        Credential = type == Model.CredentialType.SshKey ? $"{keyType} key" : CredentialType;
        Status = status?.ToString();
        LastVerified = Times.Show(verified);
        Detail = detail;
    }

    /// <summary>Password or SshKey.</summary>
    public string CredentialType { get; }

    /// <summary>The key type, for an SSH key.</summary>
    public string? KeyType { get; }

    /// <summary>The credential named for a reader: "Password" or "ssh-ed25519 key".</summary>
    public string Credential { get; }

    /// <summary>InSync when it logged in, NotInSync when the target refused it.</summary>
    public string? Status { get; }

    /// <summary>When it was tried, ISO 8601 UTC; none when it was not.</summary>
    public string? LastVerified { get; }

    /// <summary>Anything more to know: a pending value resolved, or why it was not tried.</summary>
    public string? Detail { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Credential}: {Status}";
}
