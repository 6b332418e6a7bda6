using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Halo.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Reports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "CitizenCorroborations",
                table: "incidents",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "HasCitizenMedia",
                table: "incidents",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "citizen_reports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    IncidentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MatchedOfficialIncidentId = table.Column<Guid>(type: "TEXT", nullable: true),
                    DeviceHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ReporterId = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    Category = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    AiCategory = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    AiConfidence = table.Column<double>(type: "REAL", nullable: true),
                    AiModelVersion = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Latitude = table.Column<double>(type: "REAL", nullable: true),
                    Longitude = table.Column<double>(type: "REAL", nullable: true),
                    AccuracyM = table.Column<double>(type: "REAL", nullable: true),
                    H3Res9 = table.Column<long>(type: "INTEGER", nullable: false),
                    OccurredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SubmittedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    SensorsJson = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    MediaCount = table.Column<int>(type: "INTEGER", nullable: false),
                    MatchScore = table.Column<double>(type: "REAL", nullable: true),
                    AnonymisedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_citizen_reports", x => x.Id);
                    table.ForeignKey(
                        name: "FK_citizen_reports_incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_citizen_reports_incidents_MatchedOfficialIncidentId",
                        column: x => x.MatchedOfficialIncidentId,
                        principalTable: "incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "idempotency_records",
                columns: table => new
                {
                    Scope = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RequestHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Attempt = table.Column<Guid>(type: "TEXT", nullable: false),
                    StatusCode = table.Column<int>(type: "INTEGER", nullable: true),
                    ContentType = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ResponseBody = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_idempotency_records", x => new { x.Scope, x.Key });
                });

            migrationBuilder.CreateTable(
                name: "media_items",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    StoredName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    SizeBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Width = table.Column<int>(type: "INTEGER", nullable: true),
                    Height = table.Column<int>(type: "INTEGER", nullable: true),
                    OwnerDeviceHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    OwnerUserId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    ReportId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_media_items", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "moderation_actions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    IncidentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    TargetIncidentId = table.Column<Guid>(type: "TEXT", nullable: true),
                    PreviousStatus = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    NewStatus = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ReportsMoved = table.Column<int>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_moderation_actions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "report_clusters",
                columns: table => new
                {
                    IncidentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OfficialIncidentId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ReportCount = table.Column<int>(type: "INTEGER", nullable: false),
                    UniqueReporters = table.Column<int>(type: "INTEGER", nullable: false),
                    CentroidLatitude = table.Column<double>(type: "REAL", nullable: false),
                    CentroidLongitude = table.Column<double>(type: "REAL", nullable: false),
                    HasMedia = table.Column<bool>(type: "INTEGER", nullable: false),
                    ModeratorVerified = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_report_clusters", x => x.IncidentId);
                    table.ForeignKey(
                        name: "FK_report_clusters_incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_report_clusters_incidents_OfficialIncidentId",
                        column: x => x.OfficialIncidentId,
                        principalTable: "incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateIndex(
                name: "IX_citizen_reports_IncidentId_DeviceHash",
                table: "citizen_reports",
                columns: new[] { "IncidentId", "DeviceHash" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_citizen_reports_MatchedOfficialIncidentId",
                table: "citizen_reports",
                column: "MatchedOfficialIncidentId");

            migrationBuilder.CreateIndex(
                name: "IX_citizen_reports_SubmittedAt",
                table: "citizen_reports",
                column: "SubmittedAt");

            migrationBuilder.CreateIndex(
                name: "IX_idempotency_records_CreatedAt",
                table: "idempotency_records",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_media_items_CreatedAt",
                table: "media_items",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_media_items_ReportId",
                table: "media_items",
                column: "ReportId");

            migrationBuilder.CreateIndex(
                name: "IX_moderation_actions_At",
                table: "moderation_actions",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_moderation_actions_IncidentId_At",
                table: "moderation_actions",
                columns: new[] { "IncidentId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_report_clusters_CentroidLatitude_CentroidLongitude",
                table: "report_clusters",
                columns: new[] { "CentroidLatitude", "CentroidLongitude" });

            migrationBuilder.CreateIndex(
                name: "IX_report_clusters_OfficialIncidentId",
                table: "report_clusters",
                column: "OfficialIncidentId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "citizen_reports");

            migrationBuilder.DropTable(
                name: "idempotency_records");

            migrationBuilder.DropTable(
                name: "media_items");

            migrationBuilder.DropTable(
                name: "moderation_actions");

            migrationBuilder.DropTable(
                name: "report_clusters");

            migrationBuilder.DropColumn(
                name: "CitizenCorroborations",
                table: "incidents");

            migrationBuilder.DropColumn(
                name: "HasCitizenMedia",
                table: "incidents");
        }
    }
}
