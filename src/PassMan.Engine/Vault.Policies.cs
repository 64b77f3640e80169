using System;
using System.Collections.Generic;
using System.Linq;
using PassMan.Model;
using PassMan.Storage;

namespace PassMan;

/// <summary>Policies: how credentials are generated.</summary>
public sealed partial class Vault
{
    /// <summary>Creates a policy; fails with InvalidPolicy if it cannot be met, PolicyExists if named so.</summary>
    public Policy NewPolicy(string name, PolicySettings settings) => Change(() =>
    {
        var now = DateTimeOffset.UtcNow;
        var record = new PolicyRecord(Guid.NewGuid(), Names.Require(name, "policy"), settings.Validate(name), now, now);
        if (_store.FindPolicy(record.NameKey) is not null)
        {
            throw new PassManException(
                ErrorIds.PolicyExists,
                PassManErrorKind.AlreadyExists,
                $"A policy named '{record.Name}' exists already.",
                record.Name);
        }

        _store.InsertPolicy(record);
        Audit(AuditActions.PolicyCreated, details: $"{record.Name}: {Describe(record.Settings)}");
        return new Policy(record.Id, record.Name, record.Settings, now, now, accountCount: 0);
    });

    /// <summary>Lists policies in name order; <paramref name="name"/> is a wildcard pattern, or null for all.</summary>
    public IEnumerable<Policy> GetPolicies(string? name = null) =>
        _store.ListPolicies(name is null ? null : NamePattern.Parse(name))
            .Select(row => ToPolicy(row.Policy, row.AccountCount));

    /// <summary>Finds one policy by name; fails with PolicyNotFound.</summary>
    public Policy GetPolicy(string name)
    {
        var record = RequirePolicy(name);
        return ToPolicy(record, CountUsers(record));
    }

    /// <summary>The settings of one policy, to generate from; fails with PolicyNotFound.</summary>
    public PolicySettings GetPolicySettings(string name) => RequirePolicy(name).Settings;

    /// <summary>Changes a policy; the result must still be possible to meet.</summary>
    public Policy SetPolicy(string name, Func<PolicySettings, PolicySettings> change) => Change(() =>
    {
        var current = RequirePolicy(name);
        var updated = current with
        {
            Settings = change(current.Settings).Validate(current.Name),
            ModifiedUtc = DateTimeOffset.UtcNow,
        };
        _store.UpdatePolicy(updated);
        Audit(AuditActions.PolicyChanged, details: $"{updated.Name}: {Describe(updated.Settings)}");
        return ToPolicy(updated, CountUsers(updated));
    });

    /// <summary>Removes a policy that no account uses; the Default policy stays.</summary>
    public void RemovePolicy(string name) => Change(() =>
    {
        var policy = RequirePolicy(name);
        if (IsDefault(policy))
        {
            throw new PassManException(
                ErrorIds.PolicyInUse,
                PassManErrorKind.InvalidOperation,
                "The Default policy cannot be removed: it serves every account that names no policy.",
                policy.Name);
        }

        var users = _store.CountPolicyUsers(policy.Id, includingUnassigned: false);
        if (users > 0)
        {
            throw new PassManException(
                ErrorIds.PolicyInUse,
                PassManErrorKind.InvalidOperation,
                $"The policy '{policy.Name}' is used by {users} account(s). Give them another policy first "
                    + "(Set-PMAccount -Policy).",
                policy.Name);
        }

        _store.DeletePolicy(policy.Id);
        Audit(AuditActions.PolicyRemoved, details: policy.Name);
    });

    /// <summary>The policy that applies to an account: its own, or Default.</summary>
    internal PolicyRecord PolicyOf(AccountRecord account) =>
        (account.PolicyId is { } id ? _store.FindPolicy(id) : null) ?? RequirePolicy(Policy.DefaultName);

    private PolicyRecord RequirePolicy(string name)
    {
        Names.Require(name, "policy");
        return _store.FindPolicy(Names.Fold(name)) ?? throw new PassManException(
            ErrorIds.PolicyNotFound,
            PassManErrorKind.NotFound,
            $"The vault has no policy named '{name}'.",
            name);
    }

    private long CountUsers(PolicyRecord policy) =>
        _store.CountPolicyUsers(policy.Id, includingUnassigned: IsDefault(policy));

    private static bool IsDefault(PolicyRecord policy) => policy.NameKey == Names.Fold(Policy.DefaultName);

    private static string Describe(PolicySettings s) =>
        $"length {s.PasswordLength} (upper {s.MinUpperCase}, lower {s.MinLowerCase}, digit {s.MinDigit}, "
        + $"special {s.MinSpecial}), history {s.History}, PIN {s.PinLength}, {s.SshKeyType}"
        + (s.SshKeyType == SshKeyTypes.Rsa ? $" {s.RsaKeySize}" : string.Empty);

    private static Policy ToPolicy(PolicyRecord record, long accountCount) =>
        new(record.Id, record.Name, record.Settings, record.CreatedUtc, record.ModifiedUtc, accountCount);
}
