using System;

namespace PassMan;

/// <summary>
/// An error with a stable id that callers may rely on. The message never contains a secret.
/// </summary>
public sealed class PassManException : Exception
{
    /// <summary>Creates an error with the given id, kind and message.</summary>
    public PassManException(
        string errorId,
        PassManErrorKind kind,
        string message,
        object? target = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    /// <summary>The stable error id, one of the names in <see cref="ErrorIds"/>.</summary>
    public string ErrorId { get; }

    /// <summary>What kind of failure this is.</summary>
    public PassManErrorKind Kind { get; }

    /// <summary>The object the error is about: a path, a name, a record.</summary>
    public object? Target { get; }
}
