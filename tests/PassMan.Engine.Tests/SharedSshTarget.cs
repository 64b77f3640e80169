using System;

namespace PassMan.Tests;

/// <summary>A real OpenSSH server started once for a test class, and stopped after its last test.</summary>
public sealed class SharedSshTarget : IDisposable
{
    public SharedSshTarget() => Target = SshTarget.Start();

    public SshTarget Target { get; }

    public void Dispose() => Target.Dispose();
}
