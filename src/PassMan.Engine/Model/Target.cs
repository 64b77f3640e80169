using System;
using System.Collections.Generic;

namespace PassMan.Model;

/// <summary>A host reached over SSH, as Get-PMTarget shows it.</summary>
public sealed class Target
{
    internal Target(
        Guid id,
        string name,
        string hostName,
        int port,
        string platform,
        string? description,
        IReadOnlyList<string> hostKeyFingerprints,
        long accountCount,
        DateTimeOffset created,
        DateTimeOffset modified,
        int maxConnections)
    {
        MaxConnections = maxConnections;
        Id = id;
        Name = name;
        HostName = hostName;
        Port = port;
        Platform = platform;
        Description = description;
        HostKeyFingerprint = string.Join(", ", hostKeyFingerprints);
        HostKeyFingerprints = hostKeyFingerprints;
        AccountCount = accountCount;
        Created = Times.Show(created)!;
        Modified = Times.Show(modified)!;
    }

    /// <summary>The target's id.</summary>
    public Guid Id { get; }

    /// <summary>The target's name, unique without regard to case.</summary>
    public string Name { get; }

    /// <summary>The host name or address PassMan connects to.</summary>
    public string HostName { get; }

    /// <summary>The SSH port.</summary>
    public int Port { get; }

    /// <summary>The platform, which decides how credentials are changed on the target.</summary>
    public string Platform { get; }

    /// <summary>Free text about the target.</summary>
    public string? Description { get; }

    /// <summary>The pinned host key fingerprints, comma-separated (one text value for reports).</summary>
    public string HostKeyFingerprint { get; }

    /// <summary>The pinned host key fingerprints, one by one.</summary>
    public IReadOnlyList<string> HostKeyFingerprints { get; }

    /// <summary>How many SSH connections a bulk run opens to the target at once.</summary>
    public int MaxConnections { get; }

    /// <summary>How many accounts the target has.</summary>
    public long AccountCount { get; }

    /// <summary>When the target was created, ISO 8601 UTC.</summary>
    public string Created { get; }

    /// <summary>When the target was last changed, ISO 8601 UTC.</summary>
    public string Modified { get; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
