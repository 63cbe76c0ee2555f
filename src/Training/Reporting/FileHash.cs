using System.Security.Cryptography;
using System.Text;

namespace FastStyle.Training.Reporting;

/// <summary>SHA-256 of files and texts, recorded so a result can be traced to its exact inputs.</summary>
internal static class FileHash
{
    public static string Sha256OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string Sha256OfText(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
