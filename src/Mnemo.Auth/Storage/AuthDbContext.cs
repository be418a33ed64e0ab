using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Mnemo.Auth.Storage;

/// <summary>
/// The auth module's database: local accounts and API keys (and, with the OAuth server, OpenIddict's
/// applications, authorizations, scopes and tokens). It owns its migrations history table,
/// <see cref="MigrationsHistoryTable"/>, so the memory module's schema can evolve independently in
/// the same database. Nothing here is provider-specific: names, lengths and indexes are portable; this
/// type carries SQLite's migrations, and <see cref="Postgres.PostgresAuthDbContext"/> PostgreSQL's.
/// </summary>
internal class AuthDbContext : DbContext, IDataProtectionKeyContext
{
    public const string MigrationsHistoryTable = "__EFMigrationsHistory_Auth";

    public AuthDbContext(DbContextOptions<AuthDbContext> options)
        : base(options)
    {
    }

    /// <summary>For a provider's subclass, which carries its own migrations.</summary>
    protected AuthDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<UserRecord> Users => Set<UserRecord>();

    public DbSet<ApiKeyRecord> ApiKeys => Set<ApiKeyRecord>();

    /// <summary>The OAuth server's token signing and encryption keys (private parts protected with data protection).</summary>
    public DbSet<ServerKeyRecord> ServerKeys => Set<ServerKeyRecord>();

    /// <summary>The audit log of OAuth and account events.</summary>
    public DbSet<AuditEventRecord> AuditEvents => Set<AuditEventRecord>();

    /// <summary>Per-installation secrets (the audit pseudonym key), protected with data protection.</summary>
    public DbSet<AuthSecretRecord> Secrets => Set<AuthSecretRecord>();

    /// <summary>ASP.NET Core data-protection key ring (cookies, anti-forgery, protected server keys), shared by every instance.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<UserRecord>(user =>
        {
            user.ToTable("users");
            user.HasKey(u => u.Id);
            user.Property(u => u.Id).HasColumnName("id").HasMaxLength(64);
            user.Property(u => u.UserName).HasColumnName("user_name").HasMaxLength(64);
            user.Property(u => u.NormalizedUserName).HasColumnName("normalized_user_name").HasMaxLength(64);
            user.Property(u => u.Email).HasColumnName("email").HasMaxLength(256);
            user.Property(u => u.PasswordHash).HasColumnName("password_hash").HasMaxLength(512);
            user.Property(u => u.Disabled).HasColumnName("disabled");
            user.Property(u => u.SecurityStamp).HasColumnName("security_stamp").HasMaxLength(64);
            user.Property(u => u.CreatedAt).HasColumnName("created_at");
            user.HasIndex(u => u.NormalizedUserName).IsUnique();
        });

        modelBuilder.Entity<ApiKeyRecord>(key =>
        {
            key.ToTable("api_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Id).HasColumnName("id").HasMaxLength(32);
            key.Property(k => k.UserId).HasColumnName("user_id").HasMaxLength(64);
            key.Property(k => k.Label).HasColumnName("label").HasMaxLength(100);
            key.Property(k => k.SecretHash).HasColumnName("secret_hash").HasMaxLength(64);
            key.Property(k => k.CreatedAt).HasColumnName("created_at");
            key.Property(k => k.LastUsedAt).HasColumnName("last_used_at");
            key.Property(k => k.RevokedAt).HasColumnName("revoked_at");
            key.HasIndex(k => k.SecretHash).IsUnique();
            key.HasIndex(k => k.UserId);
            // Deleting a user deletes its keys (the service also deletes them explicitly).
            key.HasOne(k => k.User).WithMany(u => u.ApiKeys).HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ServerKeyRecord>(key =>
        {
            key.ToTable("oauth_server_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Id).HasColumnName("id").HasMaxLength(64);
            key.Property(k => k.Use).HasColumnName("use").HasMaxLength(16);
            key.Property(k => k.ProtectedKey).HasColumnName("protected_key");
            key.Property(k => k.CreatedAt).HasColumnName("created_at");
            key.Property(k => k.ActiveFrom).HasColumnName("active_from");
        });

        modelBuilder.Entity<AuditEventRecord>(audit =>
        {
            audit.ToTable("audit_events");
            audit.HasKey(a => a.Id);
            audit.Property(a => a.Id).HasColumnName("id").ValueGeneratedOnAdd();
            audit.Property(a => a.OccurredAt).HasColumnName("occurred_at")
                .HasConversion(t => t.ToUnixTimeMilliseconds(), ms => DateTimeOffset.FromUnixTimeMilliseconds(ms));
            audit.Property(a => a.Kind).HasColumnName("kind").HasMaxLength(40);
            audit.Property(a => a.UserId).HasColumnName("user_id").HasMaxLength(64);
            audit.Property(a => a.ClientId).HasColumnName("client_id").HasMaxLength(Audit.AuditLog.MaxClientIdLength);
            audit.Property(a => a.ClientIp).HasColumnName("client_ip").HasMaxLength(64);
            audit.Property(a => a.Detail).HasColumnName("detail").HasMaxLength(Audit.AuditLog.MaxDetailLength);
            // Time for retention and --since; user + time for --user.
            audit.HasIndex(a => a.OccurredAt);
            audit.HasIndex(a => new { a.UserId, a.OccurredAt });
        });

        modelBuilder.Entity<AuthSecretRecord>(secret =>
        {
            secret.ToTable("auth_secrets");
            secret.HasKey(s => s.Name);
            secret.Property(s => s.Name).HasColumnName("name").HasMaxLength(64);
            secret.Property(s => s.ProtectedValue).HasColumnName("protected_value");
        });

        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");

        // OpenIddict's applications, authorizations, scopes and tokens (default entities, string keys).
        modelBuilder.UseOpenIddict();

        // A client metadata document's client_id is its https URL: OpenIddict's 100-character default
        // would reject long ones on providers that enforce lengths (PostgreSQL).
        modelBuilder.Entity<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication>()
            .Property(a => a.ClientId).HasMaxLength(2048);
    }
}
