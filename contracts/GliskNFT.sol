// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721Enumerable} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721Enumerable.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @title GLISK Season 0
/// @notice Blind-box collection: every token is attributed to a prompt author and shows a shared
/// placeholder until the keeper reveals its own metadata URI, which is then fixed forever.
/// The external interface matches the deployed GLISK Season 0 contract on Base.
contract GliskNFT is ERC721Enumerable, AccessControl, ReentrancyGuard, IERC4906 {
    bytes32 public constant KEEPER_ROLE = keccak256("KEEPER_ROLE");
    uint256 public constant MAX_BATCH_SIZE = 50;

    uint256 public mintPrice;
    uint256 public nextTokenId = 1;
    uint256 public treasuryBalance;
    bool public mintingEnabled = true;

    string private _placeholderURI;
    mapping(uint256 tokenId => address author) public tokenPromptAuthor;
    mapping(uint256 tokenId => string uri) private _revealedURIs;
    mapping(uint256 tokenId => bool revealed) private _revealed;
    mapping(address author => uint256 amount) public authorClaimable;

    event BatchMinted(
        address indexed minter,
        address indexed promptAuthor,
        uint256 indexed startTokenId,
        uint256 quantity,
        uint256 totalPaid
    );
    event TokensRevealed(uint256[] tokenIds);
    event AuthorRewardsClaimed(address indexed author, uint256 amount);
    event TreasuryWithdrawn(address indexed to, uint256 amount);
    event MintPriceUpdated(uint256 oldPrice, uint256 newPrice);
    event PlaceholderURIUpdated(string newURI);
    event MintingEnabledUpdated(bool enabled);

    error InvalidQuantity();
    error ExceedsMaxBatchSize();
    error InsufficientPayment();
    error MintingDisabled();
    error LengthMismatch();
    error AlreadyRevealed(uint256 tokenId);
    error InvalidAddress();
    error TransferFailed();

    constructor(string memory name_, string memory symbol_, string memory placeholderURI_, uint256 initialMintPrice)
        ERC721(name_, symbol_)
    {
        _placeholderURI = placeholderURI_;
        mintPrice = initialMintPrice;
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
    }

    /// @notice Mints `quantity` tokens attributed to `promptAuthor`. Half of the price goes to the
    /// author, the rest and any overpayment to the treasury.
    function mint(address promptAuthor, uint256 quantity) external payable nonReentrant {
        if (!mintingEnabled) revert MintingDisabled();
        if (promptAuthor == address(0)) revert InvalidAddress();
        if (quantity == 0) revert InvalidQuantity();
        if (quantity > MAX_BATCH_SIZE) revert ExceedsMaxBatchSize();
        uint256 price = mintPrice * quantity;
        if (msg.value < price) revert InsufficientPayment();

        uint256 authorShare = price / 2;
        authorClaimable[promptAuthor] += authorShare;
        treasuryBalance += msg.value - authorShare;

        uint256 startTokenId = nextTokenId;
        nextTokenId = startTokenId + quantity;
        for (uint256 i = 0; i < quantity; i++) {
            uint256 tokenId = startTokenId + i;
            tokenPromptAuthor[tokenId] = promptAuthor;
            _safeMint(msg.sender, tokenId);
        }
        emit BatchMinted(msg.sender, promptAuthor, startTokenId, quantity, msg.value);
    }

    /// @notice Sets the permanent URI of each token. Reverts the whole batch on the first id that is
    /// already revealed. Admin or keeper only.
    function revealTokens(uint256[] calldata tokenIds, string[] calldata uris) external {
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender) && !hasRole(KEEPER_ROLE, msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, KEEPER_ROLE);
        }
        if (tokenIds.length != uris.length) revert LengthMismatch();
        for (uint256 i = 0; i < tokenIds.length; i++) {
            uint256 tokenId = tokenIds[i];
            if (_revealed[tokenId]) revert AlreadyRevealed(tokenId);
            _revealed[tokenId] = true;
            _revealedURIs[tokenId] = uris[i];
            emit MetadataUpdate(tokenId);
        }
        emit TokensRevealed(tokenIds);
    }

    function isRevealed(uint256 tokenId) external view returns (bool) {
        return _revealed[tokenId];
    }

    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        return _revealed[tokenId] ? _revealedURIs[tokenId] : _placeholderURI;
    }

    function placeholderURI() external view returns (string memory) {
        return _placeholderURI;
    }

    function claimAuthorRewards() external nonReentrant {
        uint256 amount = authorClaimable[msg.sender];
        if (amount == 0) return;
        authorClaimable[msg.sender] = 0;
        emit AuthorRewardsClaimed(msg.sender, amount);
        _send(msg.sender, amount);
    }

    function withdrawTreasury(address to) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        if (to == address(0)) revert InvalidAddress();
        uint256 amount = treasuryBalance;
        treasuryBalance = 0;
        emit TreasuryWithdrawn(to, amount);
        _send(to, amount);
    }

    function setMintPrice(uint256 newPrice) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit MintPriceUpdated(mintPrice, newPrice);
        mintPrice = newPrice;
    }

    function setPlaceholderURI(string calldata newURI) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _placeholderURI = newURI;
        emit PlaceholderURIUpdated(newURI);
        if (nextTokenId > 1) emit BatchMetadataUpdate(1, nextTokenId - 1);
    }

    function setMintingEnabled(bool enabled) external onlyRole(DEFAULT_ADMIN_ROLE) {
        mintingEnabled = enabled;
        emit MintingEnabledUpdated(enabled);
    }

    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(ERC721Enumerable, AccessControl, IERC165)
        returns (bool)
    {
        return interfaceId == bytes4(0x49064906) || super.supportsInterface(interfaceId);
    }

    function _send(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }
}
