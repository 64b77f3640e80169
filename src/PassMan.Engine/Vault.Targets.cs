using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using PassMan.Model;
using PassMan.Ssh;
using PassMan.Storage;

namespace PassMan;

/// <summary>Targets: the hosts accounts live on.</summary>
public sealed partial class Vault
{
    private static readonly Regex s_fingerprint = new("^SHA256:[A-Za-z0-9+/]{43}$", RegexOptions.CultureInvariant);

    /// <summary>Creates a target; fails with TargetExists when the name is taken, whatever its case.</summary>
    public Target NewTarget(TargetSpec spec) => Change(() => CreateTarget(spec));

    /// <summary>Creates many targets in one transaction; each result is the target or its error.</summary>
    public IReadOnlyList<BatchResult<Target>> NewTargets(IReadOnlyList<TargetSpec> specs) => Batch(specs, CreateTarget);

    /// <summary>Lists targets in name order; <paramref name="name"/> is a wildcard pattern, or null for all.</summary>
    public IEnumerable<Target> GetTargets(string? name = null) =>
        _store.ListTargets(name is null ? null : NamePattern.Parse(name))
            .Select(row => ToTarget(row.Target, row.AccountCount));

    /// <summary>Finds one target by name; fails with TargetNotFound.</summary>
    public Target GetTarget(string name)
    {
        var record = RequireTarget(name);
        return ToTarget(record, _store.CountAccounts(record.Id));
    }

    /// <summary>Changes a target's fields, and its name with <see cref="TargetChange.NewName"/>.</summary>
    public Target SetTarget(string name, TargetChange change) => Change(() =>
    {
        var current = RequireTarget(name);
        var updated = current with
        {
            Name = change.NewName is null ? current.Name : Names.Require(change.NewName, "target"),
            HostName = change.HostName is null ? current.HostName : Names.RequireHostName(change.HostName),
            Port = change.Port is { } port ? Names.RequirePort(port) : current.Port,
            Platform = change.Platform is null ? current.Platform : Platforms.Require(change.Platform),
            HostKeyFingerprints = change.HostKeyFingerprints is null
                ? current.HostKeyFingerprints
                : RequireFingerprints(change.HostKeyFingerprints),
            Description = change.Description is null
                ? current.Description
                : EmptyToNull(Names.RequireDescription(change.Description)),
            MaxConnections = change.MaxConnections is { } limit
                ? Targets.RequireMaxConnections(limit)
                : current.MaxConnections,
            ModifiedUtc = DateTimeOffset.UtcNow,
        };

        if (updated.NameKey != current.NameKey && _store.FindTarget(updated.NameKey) is not null)
        {
            throw TargetExists(updated.Name);
        }

        _store.UpdateTarget(updated);
        if (change.HostKeyFingerprints is not null)
        {
            PinFingerprints(updated, updated.HostKeyFingerprints, replace: true);
        }

        Audit(AuditActions.TargetChanged, updated.Name, details: Describe(current, updated));
        return ToTarget(_store.FindTarget(updated.Id)!, _store.CountAccounts(updated.Id));
    });

    /// <summary>Removes a target; one with accounts only when <paramref name="force"/> is set, and with them.</summary>
    public void RemoveTarget(string name, bool force) => Change(() =>
    {
        var target = RequireTarget(name);
        var accounts = _store.CountAccounts(target.Id);
        if (accounts > 0 && !force)
        {
            throw new PassManException(
                ErrorIds.TargetHasAccounts,
                PassManErrorKind.InvalidOperation,
                $"The target '{target.Name}' still has {accounts} account(s). Remove them first, or add -Force "
                    + "to remove the target with its accounts and their credentials.",
                target.Name);
        }

        _store.DeleteTarget(target.Id);
        Audit(AuditActions.TargetRemoved, target.Name, details: accounts > 0 ? $"with {accounts} account(s)" : null);
    });

    private Target CreateTarget(TargetSpec spec)
    {
        var now = DateTimeOffset.UtcNow;
        var record = new TargetRecord(
            Guid.NewGuid(),
            Names.Require(spec.Name, "target"),
            Names.RequireHostName(spec.HostName),
            Names.RequirePort(spec.Port),
            Platforms.Require(spec.Platform),
            EmptyToNull(Names.RequireDescription(spec.Description)),
            RequireFingerprints(spec.HostKeyFingerprints ?? []),
            now,
            now,
            Targets.RequireMaxConnections(spec.MaxConnections));
        if (_store.FindTarget(record.NameKey) is not null)
        {
            throw TargetExists(record.Name);
        }

        _store.InsertTarget(record);
        PinFingerprints(record, record.HostKeyFingerprints, replace: false);
        Audit(AuditActions.TargetCreated, record.Name, details: $"{record.HostName}:{record.Port}");
        return ToTarget(record, accountCount: 0);
    }

    /// <summary>
    /// Pins fingerprints given by hand for the target's host and port. A key already pinned with
    /// one of them keeps its key; with <paramref name="replace"/>, the other pins go.
    /// </summary>
    private void PinFingerprints(TargetRecord target, IReadOnlyList<string> fingerprints, bool replace)
    {
        var pins = _store.ListHostKeys(target.HostName, target.Port);
        if (!replace && pins.Count > 0 && fingerprints.Any(f => !pins.Any(pin => pin.Fingerprint == f)))
        {
            // Another target pins this host and port already: a different key is a change, and a
            // change of pins is for Test-PMTarget -TrustHostKey -Force or Set-PMTarget, not a side effect.
            throw new PassManException(
                ErrorIds.HostKeyMismatch,
                PassManErrorKind.Security,
                $"{target.HostName}:{target.Port} has pinned host keys already ("
                    + string.Join(", ", pins.Select(pin => pin.Fingerprint)) + "), and -HostKeyFingerprint names "
                    + "others. Create the target without -HostKeyFingerprint, or change the pins with Set-PMTarget "
                    + "-HostKeyFingerprint or Test-PMTarget -TrustHostKey -Force.",
                target.Name);
        }

        var kept = replace ? pins.Where(pin => fingerprints.Contains(pin.Fingerprint)).ToList() : pins.ToList();
        var now = DateTimeOffset.UtcNow;
        kept.AddRange(fingerprints
            .Where(fingerprint => !kept.Any(pin => pin.Fingerprint == fingerprint))
            .Select(fingerprint => new HostKeyPin(fingerprint, Key: null, now)));
        _store.ReplaceHostKeys(target.HostName, target.Port, kept);
    }

    /// <summary>
    /// The target an account lives on, as a bulk run keys its connections: its id, and how many
    /// connections it allows at once.
    /// </summary>
    public (string TargetKey, int MaxConnections) GetConnectionLimit(AccountRef account)
    {
        var target = _store.FindTarget(RequireAccount(account).TargetId)!;
        return (target.Id.ToString("N"), target.MaxConnections);
    }

    private TargetRecord RequireTarget(string name)
    {
        Names.Require(name, "target");
        return _store.FindTarget(Names.Fold(name)) ?? throw new PassManException(
            ErrorIds.TargetNotFound,
            PassManErrorKind.NotFound,
            $"The vault has no target named '{name}'.",
            name);
    }

    private static List<string> RequireFingerprints(IEnumerable<string> fingerprints)
    {
        var checkedFingerprints = new List<string>();
        foreach (var fingerprint in fingerprints)
        {
            if (fingerprint is null || !s_fingerprint.IsMatch(fingerprint))
            {
                throw new PassManException(
                    ErrorIds.InvalidHostKeyFingerprint,
                    PassManErrorKind.InvalidArgument,
                    $"'{fingerprint}' is not a host key fingerprint. Give it as ssh-keygen -l prints it: "
                        + "SHA256: and 43 base64 characters.",
                    fingerprint);
            }

            if (!checkedFingerprints.Contains(fingerprint, StringComparer.Ordinal))
            {
                checkedFingerprints.Add(fingerprint);
            }
        }

        checkedFingerprints.Sort(StringComparer.Ordinal);
        return checkedFingerprints;
    }

    private static string Describe(TargetRecord before, TargetRecord after)
    {
        var changes = new List<string>();
        if (before.Name != after.Name)
        {
            changes.Add($"name {before.Name} -> {after.Name}");
        }

        if (before.HostName != after.HostName || before.Port != after.Port)
        {
            changes.Add($"address {before.HostName}:{before.Port} -> {after.HostName}:{after.Port}");
        }

        if (before.Platform != after.Platform)
        {
            changes.Add($"platform {before.Platform} -> {after.Platform}");
        }

        if (!before.HostKeyFingerprints.SequenceEqual(after.HostKeyFingerprints))
        {
            changes.Add("host key fingerprints");
        }

        if (before.Description != after.Description)
        {
            changes.Add("description");
        }

        if (before.MaxConnections != after.MaxConnections)
        {
            changes.Add($"max connections {before.MaxConnections} -> {after.MaxConnections}");
        }

        return changes.Count == 0 ? "nothing" : string.Join("; ", changes);
    }

    private static Target ToTarget(TargetRecord record, long accountCount) => new(
        record.Id,
        record.Name,
        record.HostName,
        record.Port,
        record.Platform,
        record.Description,
        record.HostKeyFingerprints,
        accountCount,
        record.CreatedUtc,
        record.ModifiedUtc,
        record.MaxConnections);

    private static PassManException TargetExists(string name) => new(
        ErrorIds.TargetExists,
        PassManErrorKind.AlreadyExists,
        $"A target named '{name}' exists already (target names are compared without regard to case).",
        name);

    private static string? EmptyToNull(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
