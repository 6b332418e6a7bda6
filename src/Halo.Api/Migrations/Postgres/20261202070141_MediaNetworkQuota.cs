using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Halo.Api.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MediaNetworkQuota : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "NetworkHash",
                table: "media_items",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_media_items_NetworkHash_CreatedAt",
                table: "media_items",
                columns: new[] { "NetworkHash", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_media_items_OwnerDeviceHash_CreatedAt",
                table: "media_items",
                columns: new[] { "OwnerDeviceHash", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_media_items_NetworkHash_CreatedAt",
                table: "media_items");

            migrationBuilder.DropIndex(
                name: "IX_media_items_OwnerDeviceHash_CreatedAt",
                table: "media_items");

            migrationBuilder.DropColumn(
                name: "NetworkHash",
                table: "media_items");
        }
    }
}
