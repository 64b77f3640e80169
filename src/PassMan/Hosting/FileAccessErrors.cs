using System;
using System.IO;

namespace PassMan.Commands.Hosting;

/// <summary>One place for the error a cmdlet gives when a file named by a parameter cannot be used.</summary>
internal static class FileAccessErrors
{
    /// <summary>
    /// Runs <paramref name="access"/>; an I/O or permission failure becomes InvalidPath, with a
    /// message such as "Cannot read the known_hosts file '...': ...".
    /// </summary>
    public static T Guard<T>(string path, string what, Func<T> access)
    {
        ArgumentNullException.ThrowIfNull(access);
        try
        {
            return access();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PassManException(
                ErrorIds.InvalidPath,
                PassManErrorKind.InvalidArgument,
                $"Cannot {what} '{path}': {e.Message}",
                path,
                e);
        }
    }
}
