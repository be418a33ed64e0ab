using Mnemo.Auth.Credentials;

namespace Mnemo.Auth.Tests.Credentials;

public sealed class CredentialChangeInterceptorTests
{
    [Theory]
    [InlineData("SELECT \"t\".\"id\" FROM \"openiddict_tokens\" AS \"t\" WHERE \"t\".\"id\" = @p")]
    [InlineData("-- a tag\nSELECT 1")]
    [InlineData("  \n select 1")]
    [InlineData("-- mnemo:not-a-revocation\n\nUPDATE \"api_keys\" SET \"last_used_at\" = @p")]
    public void Statement_ThatChangesNoCredential_IsReadOnly(string sql) =>
        Assert.True(CredentialChangeInterceptor.IsReadOnly(sql));

    [Theory]
    [InlineData("UPDATE \"openiddict_tokens\" SET \"status\" = 'revoked'")]
    [InlineData("DELETE FROM \"api_keys\" WHERE \"user_id\" = @p")]
    [InlineData("INSERT INTO \"audit_events\" (\"kind\") VALUES (@p)")]
    [InlineData("SELECT 1; UPDATE \"users\" SET \"disabled\" = 1")]
    [InlineData("-- some other tag\nUPDATE \"users\" SET \"disabled\" = 1")]
    [InlineData("WITH x AS (SELECT 1) UPDATE \"users\" SET \"disabled\" = 1")]
    [InlineData("")]
    public void Statement_ThatMayChangeACredential_EndsTheCachedOnes(string sql) =>
        Assert.False(CredentialChangeInterceptor.IsReadOnly(sql));
}
